package dev.zkscheduler.job;

import com.google.common.base.Preconditions;

/**
 * The outcome of one task attempt: success, failure, or a handler stopped by its own deadline
 * ({@link #timedOut}), each with a message for operators. A timed-out attempt is recorded as {@code
 * TIMED_OUT} and retried like a failure, exactly as when the scheduler's own timer stops it: which
 * of the two timers fires first must not change the outcome.
 */
public record TaskResult(boolean succeeded, boolean timedOut, String message) {

  private static final TaskResult SUCCESS = new TaskResult(true, false, null);

  public TaskResult {
    Preconditions.checkArgument(
        !(succeeded && timedOut), "a result cannot both succeed and time out");
  }

  /** A success or a failure. */
  public TaskResult(boolean succeeded, String message) {
    this(succeeded, false, message);
  }

  public static TaskResult success() {
    return SUCCESS;
  }

  public static TaskResult success(String message) {
    return new TaskResult(true, false, message);
  }

  public static TaskResult failure(String message) {
    return new TaskResult(false, false, message);
  }

  /** The handler gave up because its own time limit (or the attempt's deadline) ran out. */
  public static TaskResult timedOut(String message) {
    return new TaskResult(false, true, message);
  }
}
