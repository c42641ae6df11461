package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.putInstant;
import static dev.zkscheduler.store.codec.StoredFormat.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.store.ControlRequest;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The stored form of a {@link ControlRequest}. Thread-safe. */
public final class RequestCodec {

  private RequestCodec() {}

  public static byte[] encode(ControlRequest request) {
    ObjectNode node = StoredFormat.versionedDocument();
    node.put("id", request.id());
    node.put("kind", request.kind().name());
    node.put("jobId", request.jobId());
    ArrayNode runIds = node.putArray("runIds");
    request.runIds().forEach(runIds::add);
    ArrayNode times = node.putArray("nominalTimes");
    request.nominalTimes().forEach(t -> times.add(t.toString()));
    putInstant(node, "requestedAt", request.requestedAt());
    if (request.requestedBy() != null) {
      node.put("requestedBy", request.requestedBy());
    }
    return StoredFormat.bytes(node);
  }

  /**
   * @throws CodecException if {@code data} is not a request this node can read
   */
  public static ControlRequest decode(byte[] data) {
    JsonNode node = StoredFormat.storedDocument(data, "request");
    JsonFields f = new JsonFields();
    List<String> runIds = new ArrayList<>();
    JsonNode ids = f.array(node, "runIds", "runIds");
    if (ids != null) {
      ids.forEach(n -> runIds.add(n.asText()));
    }
    List<Instant> times = new ArrayList<>();
    JsonNode timeNodes = f.array(node, "nominalTimes", "nominalTimes");
    if (timeNodes != null) {
      try {
        timeNodes.forEach(n -> times.add(Instant.parse(n.asText())));
      } catch (DateTimeException e) {
        f.error("nominalTimes", "not ISO-8601 instants");
      }
    }
    ControlRequest request =
        new ControlRequest(
            required(f, f.string(node, "id", "id"), "id"),
            required(f, f.enumValue(node, "kind", "kind", ControlRequest.Kind.class), "kind"),
            required(f, f.string(node, "jobId", "jobId"), "jobId"),
            runIds,
            times,
            f.instant(node, "requestedAt", "requestedAt"),
            f.string(node, "requestedBy", "requestedBy"));
    StoredFormat.failOnErrors(f, "request");
    return request;
  }
}
