package dev.zkscheduler.dag;

/** The state of one task within a run; see {@code TaskTransitions} for the legal moves. */
public enum TaskState {
  PENDING,
  RUNNING,
  RETRY_WAIT,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT,
  UPSTREAM_FAILED,
  SKIPPED;

  public boolean isTerminal() {
    return this != PENDING && this != RUNNING && this != RETRY_WAIT;
  }
}
