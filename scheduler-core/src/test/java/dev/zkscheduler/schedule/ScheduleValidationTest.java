package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleValidationTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void emptyCronIsRefused(String expression) {
    assertThatThrownBy(() -> Schedule.cron(expression, ZoneOffset.UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessage("cron: must not be empty")
        .extracting(e -> ((InvalidScheduleException) e).field())
        .isEqualTo("cron");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"* * * *|4", "0 0 0 * * ? 2026 1|8", "*|1"})
  void wrongFieldCountsSayWhatWasExpected(String expression, int count) {
    assertThatThrownBy(() -> Schedule.cron(expression, ZoneOffset.UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("has " + count + " fields")
        .hasMessageContaining("expected 5 (Unix")
        .hasMessageContaining("6-7 (Quartz");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "60 * * * *",
        "* 24 * * *",
        "* * 32 * *",
        "* * * 13 *",
        "0 0 25 * * ?",
        "x * * * *"
      })
  void outOfRangeValuesAreRefused(String expression) {
    assertThatThrownBy(() -> Schedule.cron(expression, ZoneOffset.UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("cron: '" + expression + "' is not a valid");
  }

  @Test
  void anExpressionThatNeverMatchesIsRefused() {
    assertThatThrownBy(() -> Schedule.cron("0 0 30 2 *", ZoneOffset.UTC))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("never fire");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mars/Olympus_Mons", "America/NewYork", "EST5EDT_", "../etc/passwd"})
  void unknownZonesAreRefused(String zone) {
    assertThatThrownBy(() -> Zones.parse(zone))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("timeZone: ")
        .hasMessageContaining(zone);
  }

  @ParameterizedTest
  @ValueSource(strings = {"+05:00", "-03:30", "UTC+2", "GMT-5"})
  void fixedOffsetsAreRefusedBecauseTheyIgnoreDst(String zone) {
    assertThatThrownBy(() -> Zones.parse(zone)).hasMessageContaining("fixed offset");
  }

  @Test
  void blankZoneMeansUtcNeverTheJvmDefault() {
    assertThat(Zones.parse(null)).isEqualTo(ZoneOffset.UTC);
    assertThat(Zones.parse("")).isEqualTo(ZoneOffset.UTC);
    assertThat(Zones.parse("UTC")).isEqualTo(ZoneOffset.UTC);
    assertThat(Zones.parse("Asia/Kolkata").getId()).isEqualTo("Asia/Kolkata");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "-PT1S", "-PT15M", "PT0.5S", "P400D"})
  void badIntervalsAreRefused(String interval) {
    assertThatThrownBy(() -> Schedule.interval(Duration.parse(interval), Instant.EPOCH))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("interval: ");
  }

  @Test
  void intervalNeedsAnAnchorAndOnceNeedsAnInstant() {
    assertThatThrownBy(() -> Schedule.interval(Duration.ofMinutes(1), null))
        .hasMessageStartingWith("startAt: ");
    assertThatThrownBy(() -> Schedule.once(null)).hasMessageStartingWith("at: ");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 1001})
  void previewCountIsBounded(int count) {
    Schedule schedule = Schedule.cron("0 9 * * *", ZoneOffset.UTC);
    assertThatThrownBy(() -> schedule.preview(Instant.EPOCH, count))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("count: ");
  }
}
