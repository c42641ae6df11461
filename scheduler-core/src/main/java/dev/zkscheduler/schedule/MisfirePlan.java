package dev.zkscheduler.schedule;

import java.time.Instant;
import java.util.List;

/**
 * What to do now about a schedule's due fires, as decided by {@link Misfires#plan}.
 *
 * @param toFire nominal instants to fire now, ascending
 * @param skippedCount how many due instants are skipped and must be recorded as such
 * @param skippedCountExact false when the count is a lower bound (see {@link Misfires})
 * @param firstSkipped the earliest skipped instant, null if none
 * @param lastSkipped the latest skipped instant, null if none
 * @param nextFire the first nominal instant after now, null if the schedule has ended
 * @param lastNominal the latest due nominal instant, fired or skipped (the new progress mark); the
 *     previous mark when nothing was due
 */
public record MisfirePlan(
    List<Instant> toFire,
    long skippedCount,
    boolean skippedCountExact,
    Instant firstSkipped,
    Instant lastSkipped,
    Instant nextFire,
    Instant lastNominal) {

  public MisfirePlan {
    toFire = List.copyOf(toFire);
  }

  public boolean nothingDue() {
    return toFire.isEmpty() && skippedCount == 0;
  }
}
