package dev.zkscheduler.store;

import java.time.Instant;

/**
 * The leader's persisted progress through a job's schedule. {@code lastNominalFire} is the latest
 * nominal instant that was fired or recorded as skipped (null before the first); {@code nextFire}
 * the next nominal instant the leader will fire (null when the schedule is exhausted or absent);
 * {@code definitionVersion} the job definition version it was computed from, and {@code jobCreated}
 * the creation identity of that definition's record (see {@link
 * dev.zkscheduler.job.Versioned#created}; 0 when not known, as in states stored before it was
 * kept): progress of a job deleted and created again under the same id is not the new job's.
 */
public record ScheduleState(
    String jobId,
    Instant lastNominalFire,
    Instant nextFire,
    int definitionVersion,
    long jobCreated) {

  /** Progress whose definition's creation identity is not known. */
  public ScheduleState(
      String jobId, Instant lastNominalFire, Instant nextFire, int definitionVersion) {
    this(jobId, lastNominalFire, nextFire, definitionVersion, 0L);
  }
}
