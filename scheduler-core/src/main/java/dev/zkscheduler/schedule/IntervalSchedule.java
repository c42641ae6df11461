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
    return fire(index(after) + 1);
  }

  /** The k-th fire instant (k = 0 is {@code startAt}); empty past the end of time. */
  Optional<Instant> fire(long k) {
    try {
      return Optional.of(at(k));
    } catch (ArithmeticException | DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The last fire instant at or before {@code instant}, which is not before {@code startAt}. */
  Instant lastAtOrBefore(Instant instant) {
    return at(index(instant));
  }

  /**
   * Distances below this many seconds fit in a long of nanoseconds (about 292 years), where the
   * grid is computed with long arithmetic: the leader computes it for every fire, and {@link
   * Duration#dividedBy(Duration)} and {@link Duration#multipliedBy(long)} go through BigDecimal,
   * which showed as a fifth of the leader's CPU when firing 1,000 jobs a second. Beyond, the exact
   * Duration arithmetic answers, as before.
   */
  private static final long FAST_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

  /** The index of the last fire at or before {@code instant}, which is not before the anchor. */
  private long index(Instant instant) {
    Duration elapsed = Duration.between(startAt, instant);
    if (!elapsed.isNegative()
        && elapsed.getSeconds() < FAST_SECONDS
        && interval.getSeconds() < FAST_SECONDS) {
      long nanos = elapsed.getSeconds() * 1_000_000_000L + elapsed.getNano();
      return nanos / interval.toNanos();
    }
    return elapsed.dividedBy(interval);
  }

  /** The k-th fire instant; throws past the end of time. */
  private Instant at(long k) {
    long intervalNanos = interval.toNanos();
    if (k >= 0 && k <= Long.MAX_VALUE / intervalNanos) {
      return startAt.plusNanos(k * intervalNanos);
    }
    return startAt.plus(interval.multipliedBy(k));
  }

  /** How many fire instants lie in the half-open range (from, to]. */
  long countIn(Instant from, Instant to) {
    if (!to.isAfter(from) || to.isBefore(startAt)) {
      return 0;
    }
    long lastIndex = index(to);
    long firstIndex = from.isBefore(startAt) ? 0 : index(from) + 1;
    return Math.max(0, lastIndex - firstIndex + 1);
  }
}
