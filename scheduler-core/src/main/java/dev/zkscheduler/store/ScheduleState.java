package dev.zkscheduler.store;

import java.time.Instant;

/**
 * The leader's persisted progress through a job's schedule. {@code lastNominalFire} is the latest
 * nominal instant that was fired or recorded as skipped (null before the first); {@code nextFire}
 * the next nominal instant the leader will fire (null when the schedule is exhausted or absent);
 * {@code definitionVersion} the job definition version it was computed from.
 */
public record ScheduleState(
    String jobId, Instant lastNominalFire, Instant nextFire, int definitionVersion) {}
