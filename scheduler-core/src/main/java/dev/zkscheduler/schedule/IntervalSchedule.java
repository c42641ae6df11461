package dev.zkscheduler.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Fires at {@code startAt + k·interval} for k ≥ 0. The anchor {@code startAt} is data persisted
 * with the job, never the time a process started, so restarts and failovers never slide the cadence
 * (docs/design.md, G3). Fire instants are UTC instants; the zone is UTC.
 *
 * @param interval at least one second, at most 366 days
 * @param startAt the anchor; the first fire
 */
public record IntervalSchedule(Duration interval, Instant startAt) implements Schedule {

  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MAX_INTERVAL = Duration.ofDays(366);

  public IntervalSchedule {
    if (interval == null) {
      throw new InvalidScheduleException("interval", "must be set, e.g. PT15M");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new InvalidScheduleException("interval", "must be positive, was " + interval);
    }
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new InvalidScheduleException("interval", "must be at least PT1S, was " + interval);
    }
    if (interval.compareTo(MAX_INTERVAL) > 0) {
      throw new InvalidScheduleException("interval", "must be at most P366D, was " + interval);
    }
    if (startAt == null) {
      throw new InvalidScheduleException("startAt", "must be set: the anchor of the interval grid");
    }
  }

  @Override
  public ZoneId zone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    if (after.isBefore(startAt)) {
      return Optional.of(startAt);
    }
    long k = Duration.between(startAt, after).dividedBy(interval) + 1;
    return fire(k);
  }

  /** The k-th fire instant (k = 0 is {@code startAt}); empty past the end of time. */
  Optional<Instant> fire(long k) {
    try {
      return Optional.of(startAt.plus(interval.multipliedBy(k)));
    } catch (ArithmeticException | DateTimeException e) {
      return Optional.empty();
    }
  }

  /** How many fire instants lie in the half-open range (from, to]. */
  long countIn(Instant from, Instant to) {
    if (!to.isAfter(from) || to.isBefore(startAt)) {
      return 0;
    }
    long lastIndex = Duration.between(startAt, to).dividedBy(interval);
    long firstIndex =
        from.isBefore(startAt) ? 0 : Duration.between(startAt, from).dividedBy(interval) + 1;
    return Math.max(0, lastIndex - firstIndex + 1);
  }
}
