package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.putInstant;
import static dev.zkscheduler.store.codec.StoredFormat.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.store.ScheduleState;

/**
 * The stored form of a job's {@link ScheduleState}. {@code jobCreated} is written only when known;
 * a node that does not know the field ignores it, and a state without it reads as 0 (not known).
 * Thread-safe.
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
    ScheduleState state =
        new ScheduleState(
            required(f, f.string(node, "jobId", "jobId"), "jobId"),
            f.instant(node, "lastNominalFire", "lastNominalFire"),
            f.instant(node, "nextFire", "nextFire"),
            version == null ? -1 : version,
            jobCreated == null ? 0L : jobCreated);
    StoredFormat.failOnErrors(f, "schedule state");
    return state;
  }
}
