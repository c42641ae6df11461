package dev.zkscheduler.store.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed fields out of a JSON tree, collecting a {@link FieldError} with the JSON path for
 * each field of the wrong type instead of stopping at the first. Absent and null fields read as
 * null. Not thread-safe; one per decode.
 */
final class JsonFields {

  private final List<FieldError> errors = new ArrayList<>();

  void error(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  void addAll(String prefix, JobValidationException e) {
    e.errors().forEach(err -> errors.add(new FieldError(join(prefix, err.field()), err.message())));
  }

  void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  static String join(String prefix, String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    return field.isEmpty() ? prefix : prefix + "." + field;
  }

  static boolean present(JsonNode node, String name) {
    return node.hasNonNull(name);
  }

  JsonNode object(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      error(path, "must be an object");
      return null;
    }
    return node;
  }

  JsonNode array(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      error(path, "must be an array");
      return null;
    }
    return node;
  }

  String string(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      error(path, "must be a string");
      return null;
    }
    return node.textValue();
  }

  Integer integer(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      error(path, "must be a whole number");
      return null;
    }
    return node.intValue();
  }

  Long longValue(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      error(path, "must be a whole number");
      return null;
    }
    return node.longValue();
  }

  Double number(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isNumber()) {
      error(path, "must be a number");
      return null;
    }
    return node.doubleValue();
  }

  Boolean bool(JsonNode parent, String name, String path) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      error(path, "must be true or false");
      return null;
    }
    return node.booleanValue();
  }

  Duration duration(JsonNode parent, String name, String path) {
    String text = string(parent, name, path);
    if (text == null) {
      return null;
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      error(path, "'" + text + "' is not an ISO-8601 duration such as PT15M");
      return null;
    }
  }

  Instant instant(JsonNode parent, String name, String path) {
    String text = string(parent, name, path);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      error(path, "'" + text + "' is not an ISO-8601 UTC instant such as 2026-12-01T14:00:00Z");
      return null;
    }
  }

  <E extends Enum<E>> E enumValue(JsonNode parent, String name, String path, Class<E> type) {
    String text = string(parent, name, path);
    if (text == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      error(path, "'" + text + "' is not one of " + Arrays.toString(type.getEnumConstants()));
      return null;
    }
  }
}
