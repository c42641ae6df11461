package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** The expressions users reported, and the edges around them. */
class CronDialectReportedCasesTest {

  private static final ZoneId UTC = ZoneId.of("UTC");

  private static List<Instant> fires(Schedule schedule, Instant from, int count) {
    List<Instant> fires = new ArrayList<>();
    Instant cursor = from;
    for (int i = 0; i < count; i++) {
      cursor = schedule.nextFireAfter(cursor).orElseThrow();
      fires.add(cursor);
    }
    return fires;
  }

  @Test
  void nearestWeekdayToThe31stSkipsShortMonthsInsteadOfThrowing() {
    Schedule schedule = Schedule.cron("0 0 12 31W * ?", UTC);

    // 31 Jan 2026 is a Saturday (Friday 30th), 31 Mar a Tuesday, 31 May a Sunday and the last day
    // of the month (Friday 29th); February and April have no 31st.
    assertThat(fires(schedule, Instant.parse("2026-01-01T00:00:00Z"), 3))
        .containsExactly(
            Instant.parse("2026-01-30T12:00:00Z"),
            Instant.parse("2026-03-31T12:00:00Z"),
            Instant.parse("2026-05-29T12:00:00Z"));
  }

  @Test
  void nearestWeekdayToThe31stAgreesWithQuartzForTenYears() throws ParseException {
    org.quartz.CronExpression quartz = new org.quartz.CronExpression("0 0 12 31W * ?");
    quartz.setTimeZone(TimeZone.getTimeZone(UTC));
    Schedule schedule = Schedule.cron("0 0 12 31W * ?", UTC);
    Instant from = Instant.parse("2026-01-01T00:00:00Z");

    List<Instant> expected = new ArrayList<>();
    Date cursor = Date.from(from);
    for (int i = 0; i < 70; i++) {
      cursor = quartz.getTimeAfter(cursor);
      expected.add(cursor.toInstant());
    }
    assertThat(fires(schedule, from, 70)).isEqualTo(expected);
  }

  @Test
  void unixNamedDayRangeFiresSundayToWednesdayAtNine() {
    Schedule schedule = Schedule.cron("0 9 * * SUN-WED", UTC);

    List<Instant> fires = fires(schedule, Instant.parse("2026-12-05T10:00:00Z"), 8);

    assertThat(fires)
        .extracting(i -> i.atZone(UTC).getDayOfWeek())
        .containsExactly(
            DayOfWeek.SUNDAY,
            DayOfWeek.MONDAY,
            DayOfWeek.TUESDAY,
            DayOfWeek.WEDNESDAY,
            DayOfWeek.SUNDAY,
            DayOfWeek.MONDAY,
            DayOfWeek.TUESDAY,
            DayOfWeek.WEDNESDAY);
    assertThat(fires).extracting(i -> i.atZone(UTC).toLocalTime()).containsOnly(LocalTime.of(9, 0));
    assertThat(fires.get(0)).isEqualTo(Instant.parse("2026-12-06T09:00:00Z"));
  }

  @Test
  void unixNamesListsLowerCaseAndSevenAreSunday() {
    Instant from = Instant.parse("2026-12-05T10:00:00Z"); // a Saturday
    assertThat(fires(Schedule.cron("0 9 * * mon,WED", UTC), from, 2))
        .containsExactly(
            Instant.parse("2026-12-07T09:00:00Z"), Instant.parse("2026-12-09T09:00:00Z"));
    assertThat(fires(Schedule.cron("0 9 * * 7", UTC), from, 1))
        .containsExactly(Instant.parse("2026-12-06T09:00:00Z"));
  }

  @Test
  void unixDayOfMonthAndDayOfWeekBothRestrictedMeansEither() {
    // The 13th (a Sunday in December 2026) or any Friday.
    assertThat(fires(Schedule.cron("0 0 13 * FRI", UTC), Instant.parse("2026-12-05T00:00:00Z"), 3))
        .containsExactly(
            Instant.parse("2026-12-11T00:00:00Z"),
            Instant.parse("2026-12-13T00:00:00Z"),
            Instant.parse("2026-12-18T00:00:00Z"));
  }

  @Test
  void quartzWrapAroundDayRangeRunsFridayToMonday() {
    List<Instant> fires =
        fires(Schedule.cron("0 0 9 ? * FRI-MON", UTC), Instant.parse("2026-12-05T10:00:00Z"), 4);
    assertThat(fires)
        .extracting(i -> i.atZone(UTC).getDayOfWeek())
        .containsExactly(DayOfWeek.SUNDAY, DayOfWeek.MONDAY, DayOfWeek.FRIDAY, DayOfWeek.SATURDAY);
  }

  @Test
  void unixWrapAroundRangeIsRefusedLikeCronie() {
    assertThatThrownBy(() -> Schedule.cron("0 9 * * FRI-MON", ZoneOffset.UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("runs backwards")
        .extracting(e -> ((InvalidScheduleException) e).field())
        .isEqualTo("cron");
  }

  @Test
  void lastDayOffsetLargerThanTheMonthNeverMatchesThatMonth() {
    Schedule schedule = Schedule.cron("0 0 0 L-29 * ?", UTC);
    // Only 30- and 31-day months have a day L-29 (the 1st or 2nd); February never does.
    assertThat(fires(schedule, Instant.parse("2027-01-15T00:00:00Z"), 2))
        .extracting(i -> ZonedDateTime.ofInstant(i, UTC).toLocalDate().toString())
        .containsExactly("2027-03-02", "2027-04-01");
  }
}
