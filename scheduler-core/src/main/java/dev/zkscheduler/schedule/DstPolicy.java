package dev.zkscheduler.schedule;

/**
 * What a cron schedule does when local wall-clock time jumps (spring forward) or repeats (fall
 * back). See docs/scheduling.md for worked examples.
 */
public enum DstPolicy {
  /**
   * Gap: a fire whose local time does not exist fires at the first valid instant after the gap.
   * Overlap: a local time that occurs twice fires once, at its first (earlier-offset) occurrence.
   */
  SHIFT_FORWARD,
  /**
   * Gap: a fire whose local time does not exist is skipped for that day. Overlap: fires once, at
   * the first occurrence.
   */
  SKIP_GAP;

  public static final DstPolicy DEFAULT = SHIFT_FORWARD;
}
