package dev.zkscheduler.store;

import java.time.Instant;
import java.util.List;

/**
 * A request, written by any node, that only the leader may carry out (in a fenced write that also
 * deletes the request): trigger a manual run, cancel a run, or backfill. {@code runIds} are chosen
 * when the request is made, so the caller can answer with them at once and a request consumed twice
 * creates nothing twice.
 */
public record ControlRequest(
    String id,
    Kind kind,
    String jobId,
    List<String> runIds,
    List<Instant> nominalTimes,
    Instant requestedAt,
    String requestedBy) {

  public enum Kind {
    TRIGGER,
    CANCEL,
    BACKFILL
  }

  public ControlRequest {
    runIds = runIds == null ? List.of() : List.copyOf(runIds);
    nominalTimes = nominalTimes == null ? List.of() : List.copyOf(nominalTimes);
  }
}
