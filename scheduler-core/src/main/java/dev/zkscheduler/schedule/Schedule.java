package dev.zkscheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a job fires: a cron expression in a time zone, a fixed interval on a persisted anchor, or
 * once. Every schedule carries its {@link ZoneId}; none ever consults the JVM's default zone.
 *
 * <p>Implementations are immutable values and thread-safe.
 */
public sealed interface Schedule permits CronSchedule, IntervalSchedule, OnceSchedule {

  /** The zone in which this schedule is evaluated and in which its fire times are shown. */
  ZoneId zone();

  /**
   * The first nominal fire instant strictly after {@code after}, or empty when the schedule will
   * never fire again. Callers pass the previous <em>nominal</em> fire instant, never "now", so a
   * late or restarted scheduler keeps the schedule's cadence.
   */
  Optional<Instant> nextFireAfter(Instant after);

  /** The most fire times one preview may ask for. */
  int MAX_PREVIEW = 1000;

  /**
   * The next {@code count} fire instants strictly after {@code from}, each with its local date-time
   * and offset in {@link #zone()}; fewer if the schedule ends.
   *
   * @throws InvalidScheduleException naming {@code count} unless 1 ≤ count ≤ {@value #MAX_PREVIEW}
   */
  default List<FireTime> preview(Instant from, int count) {
    if (count < 1 || count > MAX_PREVIEW) {
      throw new InvalidScheduleException(
          "count", "must be between 1 and " + MAX_PREVIEW + ", was " + count);
    }
    List<FireTime> times = new ArrayList<>(count);
    Instant cursor = from;
    while (times.size() < count) {
      Optional<Instant> next = nextFireAfter(cursor);
      if (next.isEmpty()) {
        break;
      }
      times.add(new FireTime(next.get(), next.get().atZone(zone())));
      cursor = next.get();
    }
    return times;
  }

  /**
   * A cron schedule, Unix (5 fields) or Quartz (6–7 fields) dialect, with the default DST policy.
   */
  static CronSchedule cron(String expression, ZoneId zone) {
    return new CronSchedule(expression, zone, DstPolicy.DEFAULT);
  }

  /** A cron schedule with an explicit DST policy. */
  static CronSchedule cron(String expression, ZoneId zone, DstPolicy dstPolicy) {
    return new CronSchedule(expression, zone, dstPolicy);
  }

  /** Fires at {@code startAt + k·interval} for k ≥ 0. */
  static IntervalSchedule interval(Duration interval, Instant startAt) {
    return new IntervalSchedule(interval, startAt);
  }

  /** Fires once, at {@code at}. */
  static OnceSchedule once(Instant at) {
    return new OnceSchedule(at);
  }
}
