package dev.zkscheduler.dag;

import java.time.Instant;

/**
 * One task's persisted state within a run. {@code attempts} counts attempts started so far; {@code
 * nextAttemptAt} is set while in RETRY_WAIT; {@code node} is the member that ran the latest
 * attempt; {@code error} the latest failure message. Nullable fields are null when unset.
 */
public record TaskRun(
    TaskState state,
    int attempts,
    Instant startedAt,
    Instant finishedAt,
    Instant nextAttemptAt,
    String node,
    String error) {

  public static TaskRun pending() {
    return new TaskRun(TaskState.PENDING, 0, null, null, null, null, null);
  }
}
