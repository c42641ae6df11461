package dev.zkscheduler.dag;

/** The condition over a task's upstream tasks' states that lets it start. */
public enum TriggerRule {
  ALL_SUCCESS,
  ALL_DONE,
  ONE_FAILED,
  ONE_SUCCESS
}
