package dev.zkscheduler.store.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.cluster.AttemptReport;

/**
 * The stored form of a worker's {@link AttemptReport}, written into its assignment. An assignment
 * without data has no report yet. Thread-safe.
 */
public final class ReportCodec {

  private ReportCodec() {}

  public static byte[] encode(AttemptReport report) {
    ObjectNode node = StoredFormat.versionedDocument();
    node.put("succeeded", report.succeeded());
    if (report.error() != null) {
      node.put("error", report.error());
    }
    node.put("finishedAt", report.finishedAt().toString());
    if (report.timedOut()) {
      node.put("timedOut", true);
    }
    return StoredFormat.bytes(node);
  }

  /**
   * The report in an assignment's data; null when there is none yet (no data).
   *
   * @throws CodecException if {@code data} is not a report this node can read
   */
  public static AttemptReport decode(byte[] data) {
    if (data == null || data.length == 0) {
      return null;
    }
    JsonNode node = StoredFormat.storedDocument(data, "attempt report");
    JsonFields f = new JsonFields();
    java.time.Instant finishedAt = f.instant(node, "finishedAt", "finishedAt");
    Boolean succeeded =
        node.path("succeeded").isBoolean() ? node.get("succeeded").asBoolean() : null;
    String error = f.string(node, "error", "error");
    StoredFormat.failOnErrors(f, "attempt report");
    if (succeeded == null || finishedAt == null) {
      throw new CodecException("attempt report: succeeded and finishedAt are required");
    }
    return succeeded
        ? AttemptReport.success(finishedAt)
        : AttemptReport.failure(error, finishedAt, node.path("timedOut").asBoolean(false));
  }
}
