package dev.zkscheduler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobDefinitionTest {

  /** No field left at its default, so a copy that drops one shows. */
  private static final JobDefinition JOB =
      new JobDefinition(
          "etl",
          "nightly",
          Schedule.once(Instant.parse("2026-11-25T10:00:00Z")),
          List.of(
              new TaskDefinition("a", "noop", Map.of("k", "v"), List.of(), null, null, null),
              new TaskDefinition(
                  "b",
                  "http",
                  null,
                  List.of("a"),
                  TriggerRule.ALL_DONE,
                  null,
                  Duration.ofSeconds(5))),
          new RetryPolicy(4, Duration.ofSeconds(3), 3.0, Duration.ofMinutes(2), 0.5),
          Duration.ofMinutes(7),
          MisfirePolicy.SKIP,
          9,
          ConcurrencyPolicy.ALLOW,
          true,
          Duration.ofMinutes(5));

  @Test
  void aCopyKeepsEveryField() {
    assertThat(JOB.toBuilder().build()).isEqualTo(JOB);
  }

  @Test
  void withersChangeOnlyTheirField() {
    JobDefinition unpaused = JOB.withPaused(false);
    assertThat(unpaused.paused()).isFalse();
    assertThat(unpaused.withPaused(true)).isEqualTo(JOB);

    Schedule hourly = Schedule.interval(Duration.ofHours(1), Instant.EPOCH);
    JobDefinition moved = JOB.withSchedule(hourly);
    assertThat(moved.schedule()).isEqualTo(hourly);
    assertThat(moved.withSchedule(JOB.schedule())).isEqualTo(JOB);
  }
}
