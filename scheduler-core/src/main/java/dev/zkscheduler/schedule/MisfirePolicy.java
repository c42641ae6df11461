package dev.zkscheduler.schedule;

/** What happens to nominal fires that fell due while no leader could fire them. */
public enum MisfirePolicy {
  /** Fire none of the missed instants; every one is recorded and counted as skipped. */
  SKIP,
  /** Fire once, for the latest missed instant; the earlier ones are recorded as skipped. */
  FIRE_ONCE,
  /** Fire each missed instant, the most recent {@code catchUpLimit} of them; older ones skipped. */
  CATCH_UP
}
