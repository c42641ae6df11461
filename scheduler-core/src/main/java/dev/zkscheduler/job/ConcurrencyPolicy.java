package dev.zkscheduler.job;

/** What a fire does while a run of the same job is still active. */
public enum ConcurrencyPolicy {
  /** The fire is recorded as a SKIPPED run. */
  FORBID,
  /** Runs overlap. */
  ALLOW,
  /** The active run is cancelled, then the new one starts. */
  REPLACE
}
