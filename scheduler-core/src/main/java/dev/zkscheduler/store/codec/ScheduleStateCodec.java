package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.putInstant;
import static dev.zkscheduler.store.codec.StoredFormat.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.store.ScheduleState;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a job's {@link ScheduleState}. {@code jobCreated} is written only when known,
 * {@code activeRunIds} only when not empty; a node that does not know a field ignores it, and a
 * state without them reads as 0 (not known) and as listing no run. Thread-safe.
 */
public final class ScheduleStateCodec {

  private ScheduleStateCodec() {}

  public static byte[] encode(ScheduleState state) {
    ObjectNode node = StoredFormat.versionedDocument();
    node.put("jobId", state.jobId());
    putInstant(node, "lastNominalFire", state.lastNominalFire());
    putInstant(node, "nextFire", state.nextFire());
    node.put("definitionVersion", state.definitionVersion());
    if (state.jobCreated() != 0) {
      node.put("jobCreated", state.jobCreated());
    }
    if (!state.activeRunIds().isEmpty()) {
      ArrayNode ids = node.putArray("activeRunIds");
      state.activeRunIds().forEach(ids::add);
    }
    return StoredFormat.bytes(node);
  }

  /**
   * @throws CodecException if {@code data} is not a schedule state this node can read
   */
  public static ScheduleState decode(byte[] data) {
    JsonNode node = StoredFormat.storedDocument(data, "schedule state");
    JsonFields f = new JsonFields();
    Integer version = f.integer(node, "definitionVersion", "definitionVersion");
    Long jobCreated = f.longValue(node, "jobCreated", "jobCreated");
    List<String> activeRunIds = new ArrayList<>();
    JsonNode ids = f.array(node, "activeRunIds", "activeRunIds");
    if (ids != null) {
      for (int i = 0; i < ids.size(); i++) {
        if (ids.get(i).isTextual()) {
          activeRunIds.add(ids.get(i).asText());
        } else {
          f.error("activeRunIds[" + i + "]", "must be a string");
        }
      }
    }
    ScheduleState state =
        new ScheduleState(
            required(f, f.string(node, "jobId", "jobId"), "jobId"),
            f.instant(node, "lastNominalFire", "lastNominalFire"),
            f.instant(node, "nextFire", "nextFire"),
            version == null ? -1 : version,
            jobCreated == null ? 0L : jobCreated,
            activeRunIds);
    StoredFormat.failOnErrors(f, "schedule state");
    return state;
  }
}
