package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Job definitions are re-parsed whenever they are read back, so every expression the evaluator
 * before this one accepted must still parse, or a stored job stops loading on upgrade. Each golden
 * sequence below was derived by hand from the 2026 calendar (1 January is a Thursday) and matches
 * what that evaluator fired.
 */
class FormerlyAcceptedExpressionsTest {

  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Instant NEW_YEAR_2026 = Instant.parse("2026-01-01T00:00:00Z");

  private static List<Instant> fires(String cron, int count) {
    Schedule schedule = Schedule.cron(cron, UTC);
    List<Instant> fires = new ArrayList<>();
    Instant cursor = NEW_YEAR_2026;
    for (int i = 0; i < count; i++) {
      cursor = schedule.nextFireAfter(cursor).orElseThrow();
      fires.add(cursor);
    }
    return fires;
  }

  private static List<Instant> midnights(String... days) {
    return Arrays.stream(days).map(d -> Instant.parse(d + "T00:00:00Z")).toList();
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(
      delimiter = '|',
      value = {
        // Mon, Wed, Fri: the step after a name range is honoured, in both dialects.
        "0 0 0 ? * MON-FRI/2 | 2026-01-02 2026-01-05 2026-01-07 2026-01-09",
        "0 0 * * MON-FRI/2   | 2026-01-02 2026-01-05 2026-01-07 2026-01-09",
        // From January to the end of the field in steps of 3: Jan, Apr, Jul, Oct.
        "0 0 0 1 JAN/3 ?     | 2026-04-01 2026-07-01 2026-10-01 2027-01-01",
        "0 0 1 JAN/3 *       | 2026-04-01 2026-07-01 2026-10-01 2027-01-01",
        // Sun, Tue, Thu, Sat.
        "0 0 0 ? * SUN/2     | 2026-01-03 2026-01-04 2026-01-06 2026-01-08",
        "0 0 * * SUN/2       | 2026-01-03 2026-01-04 2026-01-06 2026-01-08",
        // First Monday and third Friday.
        "0 0 0 ? * 2#1,6#3   | 2026-01-05 2026-01-16 2026-02-02 2026-02-20",
        "0 0 0 ? * MON#1,FRI#3 | 2026-01-05 2026-01-16 2026-02-02 2026-02-20",
        // First Monday and last Friday; every Monday and the last Friday; Saturdays and Mondays.
        "0 0 0 ? * 6L,2#1    | 2026-01-05 2026-01-30 2026-02-02 2026-02-27",
        "0 0 0 ? * 2,6L      | 2026-01-05 2026-01-12 2026-01-19 2026-01-26 2026-01-30 2026-02-02",
        "0 0 0 ? * L,2       | 2026-01-03 2026-01-05 2026-01-10 2026-01-12",
        // A 7th Monday never exists; the list still fires on the first.
        "0 0 0 ? * 2#1,2#7   | 2026-01-05 2026-02-02 2026-03-02",
        // Unix SUN ends a range as the last day of the week.
        "0 0 * * SAT-SUN     | 2026-01-03 2026-01-04 2026-01-10 2026-01-11",
        "0 0 * * MON-SUN     | 2026-01-02 2026-01-03 2026-01-04 2026-01-05",
        "0 0 * * 0-SUN       | 2026-01-02 2026-01-03 2026-01-04 2026-01-05",
        "0 0 * * SUN-SUN     | 2026-01-04 2026-01-11 2026-01-18"
      })
  void isAcceptedAndFiresAsItAlwaysDid(String cron, String days) {
    List<Instant> expected = midnights(days.trim().split("\\s+"));
    assertThat(fires(cron.trim(), expected.size())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(
      strings = {
        "0 0 0 30 2 ? 2020",
        "0 0 0 1 1 ? 2020",
        "0 0 0 1 1 ? 2020-2025",
        "0 0 0 30 2 ? 2030",
        "0 0 0 ? * 2#6 2027",
        "0 0 0 L-31 * ? 2027"
      })
  void aYearFieldThatCannotMatchIsAcceptedAndNeverFires(String cron) {
    Schedule schedule = Schedule.cron(cron, UTC);
    assertThat(schedule.nextFireAfter(NEW_YEAR_2026)).isEmpty();
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(
      strings = {
        "*/0 * * * *",
        "0 */0 * * * ?",
        "*/60 * * * *",
        "0 0/60 * * * ?",
        "0 0 0/24 * * ?",
        "0 0 1 */13 *",
        "0 0 * * */8",
        "0 0 0 ? * 1/8",
        "0 0 0 1 1 ? 2026/131",
        "0 0 0 ? * 2#0",
        "0 0 0 ? * 2#8",
        "0 0 0 ? * 2#6",
        "0 0 0 L-31 * ?",
        "0 9 * * FRI-MON",
        "0 0 0 1 1 ? 1969",
        "0 0 0 1 1 ? 2100",
        "0 0 0 1 1 ? 2030-2026"
      })
  void whatWasRefusedBeforeIsStillRefused(String cron) {
    assertThatThrownBy(() -> Schedule.cron(cron, UTC)).isInstanceOf(InvalidScheduleException.class);
  }

  /**
   * The evaluator before this one accepted these but dropped {@code L} and ignored {@code W} inside
   * a list ({@code 1,L} fired on the 1st only, {@code 1,15W} on the 15th whatever its weekday), so
   * no stored job can have relied on the meaning written; they stay refused with a reason.
   */
  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"0 0 0 1,L * ?", "0 0 0 1,15W * ?", "0 0 0 LW,1 * ?", "0 0 0 L,L-3 * ?"})
  void dayOfMonthListsMixingLOrWStayRefused(String cron) {
    assertThatThrownBy(() -> Schedule.cron(cron, UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("day-of-month");
  }

  @Test
  void quartzDropsAStepAfterANameAndWeKeepIt() throws ParseException {
    org.quartz.CronExpression quartz = new org.quartz.CronExpression("0 0 0 ? * MON-FRI/2");
    quartz.setTimeZone(TimeZone.getTimeZone(UTC));
    List<Instant> quartzFires = new ArrayList<>();
    Date cursor = Date.from(NEW_YEAR_2026);
    for (int i = 0; i < 4; i++) {
      cursor = quartz.getTimeAfter(cursor);
      quartzFires.add(cursor.toInstant());
    }

    assertThat(quartzFires)
        .isEqualTo(midnights("2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07"));
    assertThat(fires("0 0 0 ? * MON-FRI/2", 4))
        .isEqualTo(midnights("2026-01-02", "2026-01-05", "2026-01-07", "2026-01-09"));
  }
}
