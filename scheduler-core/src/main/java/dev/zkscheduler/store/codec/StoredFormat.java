package dev.zkscheduler.store.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.job.JobValidationException;
import java.io.IOException;
import java.time.Instant;

/**
 * What every stored document shares: JSON, a format version {@code "v"}, and reading that refuses a
 * document from a newer format. Unknown fields are ignored so that a newer writer's documents stay
 * readable. Thread-safe.
 */
final class StoredFormat {

  /** The format version written into jobs, schedule states and requests. */
  static final int FORMAT_VERSION = 1;

  /**
   * The format version written into runs. 2: a run carries the DAG it was created with ({@code
   * dag}); version 1 runs, without it, still read.
   */
  static final int RUN_FORMAT_VERSION = 2;

  static final ObjectMapper MAPPER = new ObjectMapper();

  private StoredFormat() {}

  /** A new document with its format version first (jobs put it last: see {@link JobCodec}). */
  static ObjectNode versionedDocument() {
    return versionedDocument(FORMAT_VERSION);
  }

  static ObjectNode versionedDocument(int version) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("v", version);
    return node;
  }

  /**
   * The JSON object of a stored document.
   *
   * @throws CodecException unless {@code data} is a JSON object of a format version this node reads
   */
  static JsonNode storedDocument(byte[] data, String what) {
    return storedDocument(data, what, FORMAT_VERSION);
  }

  /** As {@link #storedDocument(byte[], String)}, for a kind of document read up to {@code max}. */
  static JsonNode storedDocument(byte[] data, String what, int max) {
    JsonNode node;
    try {
      node = MAPPER.readTree(data);
    } catch (IOException e) {
      throw new CodecException("stored " + what + " is not valid JSON", e);
    }
    if (node == null || !node.isObject()) {
      throw new CodecException("stored " + what + " is not a JSON object");
    }
    JsonNode version = node.get("v");
    if (version == null || !version.isInt()) {
      throw new CodecException("stored " + what + " has no format version");
    }
    if (version.intValue() > max) {
      throw new CodecException(
          "stored "
              + what
              + " has format version "
              + version.intValue()
              + "; this node reads up to "
              + max
              + " (upgrade it)");
    }
    return node;
  }

  /** Records a missing field once: after another error, a missing value is its consequence. */
  static <T> T required(JsonFields f, T value, String field) {
    if (value == null && !f.hasErrors()) {
      f.error(field, "is missing");
    }
    return value;
  }

  static void failOnErrors(JsonFields f, String what) {
    try {
      f.throwIfAny();
    } catch (JobValidationException e) {
      throw new CodecException("stored " + what + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Absent instants are left out rather than written as null. */
  static void putInstant(ObjectNode node, String name, Instant instant) {
    if (instant != null) {
      node.put(name, instant.toString());
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
  }
}
