package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DST transition of 2026–2030 in the zones that break schedulers, checked against the
 * independent {@link WallClockOracle} over a window of two days around the transition.
 */
class CronScheduleDstTest {

  static final List<String> ZONES =
      List.of(
          "America/New_York",
          "Europe/London",
          "Australia/Lord_Howe",
          "Asia/Kolkata",
          "Pacific/Chatham",
          "America/Sao_Paulo",
          "Africa/Casablanca");

  /** (zone, transition instant) for each transition of 2026–2030, or a plain window if none. */
  static Stream<Arguments> windows() {
    List<Arguments> windows = new ArrayList<>();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2031-01-01T00:00:00Z");
    for (String id : ZONES) {
      ZoneId zone = ZoneId.of(id);
      ZoneOffsetTransition t = zone.getRules().nextTransition(start);
      int count = 0;
      while (t != null && t.getInstant().isBefore(end)) {
        windows.add(Arguments.of(id, t.getInstant()));
        t = zone.getRules().nextTransition(t.getInstant());
        count++;
      }
      if (count == 0) {
        // No DST at all (Kolkata, Sao Paulo): still check a window per year.
        for (int year = 2026; year <= 2030; year++) {
          windows.add(Arguments.of(id, Instant.parse(year + "-03-15T00:00:00Z")));
          windows.add(Arguments.of(id, Instant.parse(year + "-11-01T00:00:00Z")));
        }
      }
    }
    return windows.stream();
  }

  /** Daily times around the usual transition hours, on the hour and the half and quarter hours. */
  static final List<LocalTime> DAILY_TIMES =
      List.of(
          LocalTime.of(0, 0),
          LocalTime.of(0, 30),
          LocalTime.of(1, 0),
          LocalTime.of(1, 30),
          LocalTime.of(1, 45),
          LocalTime.of(2, 0),
          LocalTime.of(2, 15),
          LocalTime.of(2, 30),
          LocalTime.of(2, 45),
          LocalTime.of(3, 0),
          LocalTime.of(3, 30),
          LocalTime.of(3, 45),
          LocalTime.of(9, 0),
          LocalTime.of(23, 30));

  @ParameterizedTest(name = "{0} around {1}")
  @MethodSource("windows")
  void dailyCronsMatchTheWallClockOracle(String zoneId, Instant transition) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant from = transition.minus(Duration.ofHours(36));
    Instant to = transition.plus(Duration.ofHours(36));
    for (DstPolicy policy : DstPolicy.values()) {
      for (LocalTime time : DAILY_TIMES) {
        CronSchedule cron =
            Schedule.cron(time.getMinute() + " " + time.getHour() + " * * *", zone, policy);
        assertThat(fires(cron, from, to))
            .as("%s %s %s", zoneId, time, policy)
            .containsExactlyElementsOf(WallClockOracle.daily(zone, time, policy, from, to));
      }
    }
  }

  @ParameterizedTest(name = "{0} around {1}")
  @MethodSource("windows")
  void subHourlyCronsMatchTheWallClockOracle(String zoneId, Instant transition) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant from = transition.minus(Duration.ofHours(4));
    Instant to = transition.plus(Duration.ofHours(4));
    for (DstPolicy policy : DstPolicy.values()) {
      for (int step : new int[] {15, 20, 60}) {
        String expression = (step == 60 ? "0" : "*/" + step) + " * * * *";
        CronSchedule cron = Schedule.cron(expression, zone, policy);
        assertThat(fires(cron, from, to))
            .as("%s '%s' %s", zoneId, expression, policy)
            .containsExactlyElementsOf(WallClockOracle.everyMinutes(zone, step, policy, from, to));
      }
    }
  }

  /** Fire instants strictly after {@code from} and strictly before {@code to}. */
  static List<Instant> fires(Schedule schedule, Instant from, Instant to) {
    List<Instant> fires = new ArrayList<>();
    Instant cursor = from;
    while (true) {
      Optional<Instant> next = schedule.nextFireAfter(cursor);
      if (next.isEmpty() || !next.get().isBefore(to)) {
        return fires;
      }
      assertThat(next.get()).isAfter(cursor);
      fires.add(next.get());
      cursor = next.get();
    }
  }
}
