package dev.zkscheduler.store;

import java.time.Instant;
import java.util.List;

/**
 * The leader's persisted progress through a job's schedule, and the job's runs in flight. {@code
 * lastNominalFire} is the latest nominal instant that was fired or recorded as skipped (null before
 * the first); {@code nextFire} the next nominal instant the leader will fire (null when the
 * schedule is exhausted or absent); {@code definitionVersion} the job definition version it was
 * computed from, and {@code jobCreated} the creation identity of that definition's record (see
 * {@link dev.zkscheduler.job.Versioned#created}; 0 when not known, as in states stored before it
 * was kept): progress of a job deleted and created again under the same id is not the new job's.
 *
 * <p>{@code activeRunIds} lists the job's runs that were created non-terminal and were not yet
 * known to have ended when this record was written. The invariant a new leader relies on to find
 * every run in flight: <b>at every committed state, every non-terminal run of a job is listed in
 * its job's schedule state</b> (the leader writes the listing in the multi that creates the run).
 * The list may also name runs that ended since (they are dropped lazily, the next time the record
 * is written) and runs retention deleted since.
 */
public record ScheduleState(
    String jobId,
    Instant lastNominalFire,
    Instant nextFire,
    int definitionVersion,
    long jobCreated,
    List<String> activeRunIds) {

  public ScheduleState {
    activeRunIds = activeRunIds == null ? List.of() : List.copyOf(activeRunIds);
  }

  /** Progress that lists no run in flight. */
  public ScheduleState(
      String jobId,
      Instant lastNominalFire,
      Instant nextFire,
      int definitionVersion,
      long jobCreated) {
    this(jobId, lastNominalFire, nextFire, definitionVersion, jobCreated, List.of());
  }

  /** Progress whose definition's creation identity is not known. */
  public ScheduleState(
      String jobId, Instant lastNominalFire, Instant nextFire, int definitionVersion) {
    this(jobId, lastNominalFire, nextFire, definitionVersion, 0L);
  }

  /** This progress listing {@code runIds} as the job's runs in flight. */
  public ScheduleState withActiveRunIds(List<String> runIds) {
    return new ScheduleState(
        jobId, lastNominalFire, nextFire, definitionVersion, jobCreated, runIds);
  }

  /** The same progress, whatever runs either lists. */
  public boolean sameProgress(ScheduleState other) {
    return other != null && equals(other.withActiveRunIds(activeRunIds));
  }
}
