package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The interval grid is computed with long nanoseconds when the distance allows it (the leader asks
 * for it on every fire); these properties hold it to {@link Duration}'s exact arithmetic, across
 * the edge where the fast path gives way (about 292 years) and near the end of time.
 */
class IntervalArithmeticProperties {

  private static final long NANOS = 1_000_000_000L;

  @Provide
  Arbitrary<IntervalSchedule> schedules() {
    Arbitrary<Duration> intervals =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1, 366L * 86_400).map(Duration::ofSeconds),
            Arbitraries.longs().between(NANOS, 366L * 86_400 * NANOS).map(Duration::ofNanos),
            Arbitraries.of(
                Duration.ofSeconds(1), Duration.ofMillis(1_500), IntervalSchedule.MAX_INTERVAL));
    return Combinators.combine(intervals, instants())
        .as((interval, start) -> new IntervalSchedule(interval, start));
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.oneOf(
        Arbitraries.longs()
            .between(
                Instant.parse("1990-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2100-01-01T00:00:00Z").getEpochSecond())
            .flatMap(
                s ->
                    Arbitraries.integers()
                        .between(0, 999_999_999)
                        .map(n -> Instant.ofEpochSecond(s, n))),
        Arbitraries.longs()
            .between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
            .flatMap(
                s ->
                    Arbitraries.integers()
                        .between(0, 999_999_999)
                        .map(n -> Instant.ofEpochSecond(s, n))),
        Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH));
  }

  @Property(tries = 2000)
  void theNextFireIsTheExactGridPointAfter(
      @ForAll("schedules") IntervalSchedule schedule, @ForAll("instants") Instant after) {
    assertThat(schedule.nextFireAfter(after)).isEqualTo(exactNext(schedule, after));
  }

  @Property(tries = 2000)
  void theNextFireAfterAGridPointIsOneIntervalLater(
      @ForAll("schedules") IntervalSchedule schedule, @ForAll("instants") Instant near) {
    Optional<Instant> point = exactNext(schedule, near);
    if (point.isEmpty()) {
      return;
    }
    assertThat(schedule.nextFireAfter(point.get())).isEqualTo(exactNext(schedule, point.get()));
    assertThat(schedule.nextFireAfter(point.get().minusNanos(1))).isEqualTo(point);
  }

  @Property(tries = 2000)
  void countsAreExact(
      @ForAll("schedules") IntervalSchedule schedule,
      @ForAll("instants") Instant a,
      @ForAll("instants") Instant b) {
    Instant from = a.isBefore(b) ? a : b;
    Instant to = a.isBefore(b) ? b : a;
    assertThat(schedule.countIn(from, to)).isEqualTo(exactCount(schedule, from, to));
  }

  @Property(tries = 2000)
  void theLastFireAtOrBeforeIsExact(
      @ForAll("schedules") IntervalSchedule schedule, @ForAll("instants") Instant at) {
    if (at.isBefore(schedule.startAt())) {
      return;
    }
    long k = Duration.between(schedule.startAt(), at).dividedBy(schedule.interval());
    assertThat(schedule.lastAtOrBefore(at))
        .isEqualTo(schedule.startAt().plus(schedule.interval().multipliedBy(k)));
  }

  /** The definition, in Duration's exact (BigDecimal) arithmetic. */
  private static Optional<Instant> exactNext(IntervalSchedule s, Instant after) {
    if (after.isBefore(s.startAt())) {
      return Optional.of(s.startAt());
    }
    long k = Duration.between(s.startAt(), after).dividedBy(s.interval()) + 1;
    try {
      return Optional.of(s.startAt().plus(s.interval().multipliedBy(k)));
    } catch (ArithmeticException | DateTimeException e) {
      return Optional.empty();
    }
  }

  private static long exactCount(IntervalSchedule s, Instant from, Instant to) {
    if (!to.isAfter(from) || to.isBefore(s.startAt())) {
      return 0;
    }
    long last = Duration.between(s.startAt(), to).dividedBy(s.interval());
    long first =
        from.isBefore(s.startAt())
            ? 0
            : Duration.between(s.startAt(), from).dividedBy(s.interval()) + 1;
    return Math.max(0, last - first + 1);
  }
}
