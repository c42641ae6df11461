package dev.zkscheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent model of the documented fire semantics, used to compute expected fire times. It
 * shares no code or algorithm with {@link CronSchedule}: instead of mapping local times to instants
 * through zone rules, it walks instants forward one minute at a time and watches the wall clock.
 */
final class WallClockOracle {

  private WallClockOracle() {}

  /**
   * A daily job at {@code time}: on each local date it fires at the first instant whose wall-clock
   * time reaches {@code time} (the first occurrence in an overlap; the end of a gap). Under
   * SKIP_GAP a day whose wall clock never shows {@code time} exactly does not fire.
   */
  static List<Instant> daily(
      ZoneId zone, LocalTime time, DstPolicy policy, Instant from, Instant to) {
    List<Instant> fires = new ArrayList<>();
    LocalDate firedOn = null;
    LocalDateTime previous = LocalDateTime.ofInstant(from, zone);
    for (Instant t = from.plus(Duration.ofMinutes(1));
        t.isBefore(to);
        t = t.plus(Duration.ofMinutes(1))) {
      LocalDateTime now = LocalDateTime.ofInstant(t, zone);
      LocalDate date = now.toLocalDate();
      LocalDateTime target = date.atTime(time);
      boolean reached = !now.isBefore(target) && previous.isBefore(target);
      if (reached && !date.equals(firedOn)) {
        boolean exact = now.equals(target);
        if (exact || policy == DstPolicy.SHIFT_FORWARD) {
          fires.add(t);
        }
        firedOn = date;
      }
      previous = now;
    }
    return fires;
  }

  /**
   * A job every {@code stepMinutes} minutes of every hour: fires at every instant whose wall-clock
   * minute is a multiple of the step (both occurrences of a repeated hour), plus, under
   * SHIFT_FORWARD, once at the end of a gap that swallowed a matching wall-clock time.
   */
  static List<Instant> everyMinutes(
      ZoneId zone, int stepMinutes, DstPolicy policy, Instant from, Instant to) {
    List<Instant> fires = new ArrayList<>();
    LocalDateTime previous = LocalDateTime.ofInstant(from, zone);
    for (Instant t = from.plus(Duration.ofMinutes(1));
        t.isBefore(to);
        t = t.plus(Duration.ofMinutes(1))) {
      LocalDateTime now = LocalDateTime.ofInstant(t, zone);
      boolean matches = now.getMinute() % stepMinutes == 0;
      boolean jumpedForward = Duration.between(previous, now).toMinutes() > 1;
      boolean swallowed = false;
      if (jumpedForward) {
        for (LocalDateTime skipped = previous.plusMinutes(1);
            skipped.isBefore(now);
            skipped = skipped.plusMinutes(1)) {
          swallowed |= skipped.getMinute() % stepMinutes == 0;
        }
      }
      if (matches || (swallowed && policy == DstPolicy.SHIFT_FORWARD)) {
        fires.add(t);
      }
      previous = now;
    }
    return fires;
  }
}
