package dev.zkscheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
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
