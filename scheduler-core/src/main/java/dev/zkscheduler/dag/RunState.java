package dev.zkscheduler.dag;

/** The state of a run; see {@code RunTransitions} for the legal moves. */
public enum RunState {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT,
  SKIPPED;

  public boolean isTerminal() {
    return this != PENDING && this != RUNNING;
  }
}
