package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleBehaviourTest {

  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void intervalIsAnchoredToItsStartNotToTheQuestion() {
    IntervalSchedule every15 = Schedule.interval(Duration.ofMinutes(15), T0);
    assertThat(every15.nextFireAfter(T0.minusSeconds(3600))).contains(T0);
    assertThat(every15.nextFireAfter(T0)).contains(T0.plusSeconds(900));
    // A process that restarts at an odd moment still lands on the grid.
    assertThat(every15.nextFireAfter(T0.plusSeconds(7 * 60 + 13))).contains(T0.plusSeconds(900));
  }

  @Test
  void onceFiresOnce() {
    OnceSchedule once = Schedule.once(T0);
    assertThat(once.nextFireAfter(T0.minusMillis(1))).contains(T0);
    assertThat(once.nextFireAfter(T0)).isEmpty();
  }

  @Test
  void cronValueEqualityIgnoresSurroundingWhitespace() {
    ZoneId ny = ZoneId.of("America/New_York");
    assertThat(Schedule.cron(" 0 9 * * * ", ny)).isEqualTo(Schedule.cron("0 9 * * *", ny));
    assertThat(Schedule.cron("0 9 * * *", ny))
        .isNotEqualTo(Schedule.cron("0 9 * * *", ZoneId.of("UTC")));
    assertThat(Schedule.cron("0 9 * * *", ny).isQuartz()).isFalse();
    assertThat(Schedule.cron("0 0 9 * * ?", ny).isQuartz()).isTrue();
  }

  @Test
  void previewShowsUtcAndLocalWithOffset() {
    Schedule schedule = Schedule.cron("0 9 * * *", ZoneId.of("America/New_York"));
    List<FireTime> times = schedule.preview(Instant.parse("2026-11-01T00:00:00Z"), 2);
    assertThat(times)
        .extracting(FireTime::utc)
        .containsExactly(
            Instant.parse("2026-11-01T14:00:00Z"), Instant.parse("2026-11-02T14:00:00Z"));
    assertThat(times.get(0).local().toOffsetDateTime().toString())
        .isEqualTo("2026-11-01T09:00-05:00");
  }

  @Test
  void previewStopsWhenTheScheduleEnds() {
    assertThat(Schedule.once(T0).preview(T0.minusSeconds(1), 5)).hasSize(1);
  }

  // ---- misfires ----

  private final IntervalSchedule everyMinute = Schedule.interval(Duration.ofMinutes(1), T0);
  private final Instant lastFired = T0.plus(Duration.ofMinutes(10));
  private final Instant tenMinutesLater = lastFired.plus(Duration.ofMinutes(10)).plusSeconds(5);

  @Test
  void onlyTheDueFireWhenNothingWasMissed() {
    MisfirePlan plan =
        Misfires.plan(
            everyMinute,
            lastFired,
            lastFired.plusSeconds(61),
            MisfirePolicy.SKIP,
            1,
            Duration.ofSeconds(5));
    assertThat(plan.toFire()).containsExactly(lastFired.plusSeconds(60));
    assertThat(plan.skippedCount()).isZero();
    assertThat(plan.nextFire()).isEqualTo(lastFired.plusSeconds(120));
  }

  @Test
  void skipRecordsEveryMissedFire() {
    MisfirePlan plan =
        Misfires.plan(
            everyMinute, lastFired, tenMinutesLater, MisfirePolicy.SKIP, 1, Duration.ofSeconds(30));
    // Due: +1..+10 minutes; the one at +10 min is 5 s old, on time; nine are missed.
    assertThat(plan.toFire()).containsExactly(lastFired.plus(Duration.ofMinutes(10)));
    assertThat(plan.skippedCount()).isEqualTo(9);
    assertThat(plan.firstSkipped()).isEqualTo(lastFired.plus(Duration.ofMinutes(1)));
    assertThat(plan.lastSkipped()).isEqualTo(lastFired.plus(Duration.ofMinutes(9)));
    assertThat(plan.lastNominal()).isEqualTo(lastFired.plus(Duration.ofMinutes(10)));
    assertThat(plan.skippedCountExact()).isTrue();
  }

  @Test
  void fireOnceFiresTheLatestMissedWhenNothingIsOnTime() {
    MisfirePlan plan =
        Misfires.plan(
            everyMinute, lastFired, tenMinutesLater, MisfirePolicy.FIRE_ONCE, 1, Duration.ZERO);
    assertThat(plan.toFire()).containsExactly(lastFired.plus(Duration.ofMinutes(10)));
    assertThat(plan.skippedCount()).isEqualTo(9);
    assertThat(plan.lastSkipped()).isEqualTo(lastFired.plus(Duration.ofMinutes(9)));
  }

  @Test
  void catchUpFiresTheMostRecentWithinItsLimit() {
    MisfirePlan plan =
        Misfires.plan(
            everyMinute, lastFired, tenMinutesLater, MisfirePolicy.CATCH_UP, 3, Duration.ZERO);
    assertThat(plan.toFire())
        .containsExactly(
            lastFired.plus(Duration.ofMinutes(8)),
            lastFired.plus(Duration.ofMinutes(9)),
            lastFired.plus(Duration.ofMinutes(10)));
    assertThat(plan.skippedCount()).isEqualTo(7);
    assertThat(plan.firstSkipped()).isEqualTo(lastFired.plus(Duration.ofMinutes(1)));
    assertThat(plan.lastSkipped()).isEqualTo(lastFired.plus(Duration.ofMinutes(7)));
  }

  @Test
  void cronAndIntervalMisfiresAgree() {
    Schedule cronEveryMinute = Schedule.cron("* * * * *", ZoneId.of("UTC"));
    for (MisfirePolicy policy : MisfirePolicy.values()) {
      MisfirePlan fromCron =
          Misfires.plan(
              cronEveryMinute, lastFired, tenMinutesLater, policy, 4, Duration.ofSeconds(90));
      MisfirePlan fromInterval =
          Misfires.plan(everyMinute, lastFired, tenMinutesLater, policy, 4, Duration.ofSeconds(90));
      assertThat(fromCron).as("%s", policy).isEqualTo(fromInterval);
    }
  }

  @Test
  void aWeekOfEverySecondCronStaysBoundedAndKeepsTheLatestFires() {
    Schedule everySecond = Schedule.cron("* * * * * ?", ZoneId.of("UTC"));
    Instant now = lastFired.plus(Duration.ofDays(7));
    MisfirePlan plan =
        Misfires.plan(everySecond, lastFired, now, MisfirePolicy.CATCH_UP, 5, Duration.ZERO);
    // The five latest missed fires, then `now` itself, which is on time (age zero).
    assertThat(plan.toFire())
        .containsExactly(
            now.minusSeconds(5),
            now.minusSeconds(4),
            now.minusSeconds(3),
            now.minusSeconds(2),
            now.minusSeconds(1),
            now);
    assertThat(plan.skippedCount()).isGreaterThanOrEqualTo(Misfires.MAX_WALK - 5);
    assertThat(plan.skippedCountExact()).isFalse();
  }

  @Test
  void anEndedScheduleHasNoNextFire() {
    MisfirePlan plan =
        Misfires.plan(
            Schedule.once(T0), T0.minusSeconds(10), T0.plusSeconds(1), MisfirePolicy.FIRE_ONCE, 1);
    assertThat(plan.toFire()).containsExactly(T0);
    assertThat(plan.nextFire()).isNull();
  }
}
