package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class ScheduleProperties {

  /** Zones with every kind of DST oddity, plus a sample of the rest. */
  @Provide
  Arbitrary<String> zones() {
    List<String> all = ZoneId.getAvailableZoneIds().stream().sorted().toList();
    return Arbitraries.oneOf(Arbitraries.of(CronScheduleDstTest.ZONES), Arbitraries.of(all));
  }

  @Provide
  Arbitrary<Instant> years() {
    return Arbitraries.integers()
        .between(2026, 2030)
        .map(y -> Instant.parse(y + "-01-01T00:00:00Z"));
  }

  @Property(tries = 60)
  void aFixedTimeDailyCronFiresExactlyOncePerLocalDay(
      @ForAll("zones") String zoneId,
      @ForAll @IntRange(min = 0, max = 23) int hour,
      @ForAll @IntRange(min = 0, max = 59) int minute,
      @ForAll("years") Instant yearStart) {
    ZoneId zone = ZoneId.of(zoneId);
    CronSchedule cron =
        Schedule.cron(minute + " " + hour + " * * *", zone, DstPolicy.SHIFT_FORWARD);
    LocalDate first = LocalDate.ofInstant(yearStart, zone).plusDays(1);
    LocalDate last = first.plusDays(364);
    Map<LocalDate, Integer> perDay = new HashMap<>();
    Instant cursor = first.atStartOfDay(zone).toInstant().minusSeconds(1);
    Instant end = last.plusDays(1).atStartOfDay(zone).toInstant();
    while (true) {
      Instant next = cron.nextFireAfter(cursor).orElseThrow();
      if (!next.isBefore(end)) {
        break;
      }
      // A gap shifted past midnight could move a fire onto the next date; no real zone does that
      // at these hours, so the local date of the fire is the day it belongs to.
      perDay.merge(LocalDate.ofInstant(next, zone), 1, Integer::sum);
      cursor = next;
    }
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      // Zones that skip a whole calendar day (Pacific/Apia in 2011) are outside 2026-2030.
      assertThat(perDay.getOrDefault(day, 0)).as("%s on %s", zoneId, day).isEqualTo(1);
    }
  }

  @Property(tries = 200)
  void nextIsStrictlyIncreasing(
      @ForAll("zones") String zoneId,
      @ForAll("crons") String expression,
      @ForAll("years") Instant start,
      @ForAll @LongRange(min = 0, max = 365L * 24 * 3600) long offsetSeconds) {
    Schedule schedule = Schedule.cron(expression, ZoneId.of(zoneId));
    Instant cursor = start.plusSeconds(offsetSeconds);
    for (int i = 0; i < 50; i++) {
      Optional<Instant> next = schedule.nextFireAfter(cursor);
      assertThat(next).isPresent();
      assertThat(next.get()).isAfter(cursor);
      cursor = next.get();
    }
  }

  @Provide
  Arbitrary<String> crons() {
    return Arbitraries.of(
        "* * * * *",
        "*/7 * * * *",
        "0 * * * *",
        "30 1 * * *",
        "0 2 * * 0",
        "15 3 1 * *",
        "0 0 29 2 *",
        "*/10 * * * * ?",
        "0 30 2 ? * SUN",
        "0 0 12 L * ?",
        "0 0 9 ? * 2#1");
  }

  @Property(tries = 300)
  void intervalFiresStayOnTheAnchorGrid(
      @ForAll @LongRange(min = 1, max = 7L * 24 * 3600) long intervalSeconds,
      @ForAll @LongRange(min = -1_000_000, max = 1_000_000) long anchorOffset,
      @ForAll @LongRange(min = -10_000_000, max = 100_000_000) long afterOffset) {
    Instant anchor = Instant.parse("2026-06-01T00:00:00Z").plusSeconds(anchorOffset);
    Duration interval = Duration.ofSeconds(intervalSeconds);
    IntervalSchedule schedule = Schedule.interval(interval, anchor);
    Instant after = Instant.parse("2026-06-01T00:00:00Z").plusSeconds(afterOffset);
    Instant next = schedule.nextFireAfter(after).orElseThrow();
    assertThat(next).isAfter(after);
    assertThat(next).isAfterOrEqualTo(anchor);
    assertThat(Duration.between(anchor, next).toSeconds() % intervalSeconds).isZero();
    // Nothing on the grid was skipped between `after` and `next`.
    assertThat(next.minus(interval))
        .satisfiesAnyOf(
            previous -> assertThat(previous).isBeforeOrEqualTo(after),
            previous -> assertThat(previous).isBefore(anchor));
  }

  @Property(tries = 300)
  void misfireOutputNeverExceedsItsBound(
      @ForAll @LongRange(min = 1, max = 3600) long intervalSeconds,
      @ForAll @LongRange(min = 0, max = 30L * 24 * 3600) long downSeconds,
      @ForAll MisfirePolicy policy,
      @ForAll @IntRange(min = 1, max = 50) int catchUpLimit,
      @ForAll @LongRange(min = 0, max = 600) long thresholdSeconds) {
    Instant anchor = Instant.parse("2026-01-01T00:00:00Z");
    Schedule schedule = Schedule.interval(Duration.ofSeconds(intervalSeconds), anchor);
    Instant last = anchor.plusSeconds(intervalSeconds * 10);
    Instant now = last.plusSeconds(downSeconds);
    MisfirePlan plan =
        Misfires.plan(
            schedule, last, now, policy, catchUpLimit, Duration.ofSeconds(thresholdSeconds));

    long due = Duration.between(last, now).toSeconds() / intervalSeconds;
    long onTime = Math.min(due, thresholdSeconds / intervalSeconds + 1);
    long bound =
        Math.min(onTime, Misfires.MAX_ON_TIME)
            + switch (policy) {
              case SKIP -> 0;
              case FIRE_ONCE -> 1;
              case CATCH_UP -> catchUpLimit;
            };
    assertThat((long) plan.toFire().size()).isLessThanOrEqualTo(bound);
    assertThat(plan.toFire().size() + plan.skippedCount()).isEqualTo(due);
    assertThat(plan.toFire())
        .isSorted()
        .allSatisfy(t -> assertThat(t).isAfter(last).isBeforeOrEqualTo(now));
    assertThat(plan.nextFire()).isAfter(now);
    if (due > 0) {
      assertThat(plan.lastNominal())
          .isBeforeOrEqualTo(now)
          .isAfter(now.minusSeconds(intervalSeconds));
    }
  }
}
