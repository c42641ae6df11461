package dev.zkscheduler.dag;

/** What a task's trigger rule says, given its upstream tasks' states. */
public enum TriggerDecision {
  /** The task may start. */
  READY,
  /** Not decided yet: some upstream task is not terminal. */
  WAIT,
  /** The task will not run because upstream failed. */
  UPSTREAM_FAILED,
  /** The task will not run, and that is not a failure. */
  SKIPPED
}
