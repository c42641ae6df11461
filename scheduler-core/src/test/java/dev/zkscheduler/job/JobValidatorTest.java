package dev.zkscheduler.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobValidatorTest {

  private static final TaskHandler NOOP = context -> TaskResult.success();
  private final JobValidator validator = new JobValidator(Map.of("noop", NOOP, "http", NOOP));

  private static JobDefinition.Builder valid() {
    return JobDefinition.builder("daily-etl")
        .schedule(Schedule.cron("0 9 * * *", ZoneId.of("America/New_York")))
        .task("extract", "http")
        .task("transform", "http", "extract")
        .task("load", "http", "transform");
  }

  private List<FieldError> problems(JobDefinition job) {
    return validator.problems(job);
  }

  @Test
  void aValidJobPasses() {
    validator.validate(valid().build());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Upper",
        "a/b",
        "..",
        ".",
        "-lead",
        "a b",
        "tab\there",
        "nul\u0000",
        "é",
        "../../zookeeper"
      })
  void unsafeIdsAreRefused(String id) {
    assertThat(problems(JobDefinition.builder(id).task("t", "noop").build()))
        .extracting(FieldError::field)
        .containsExactly("id");
  }

  @Test
  void idsUpTo128CharactersAreAllowed() {
    assertThat(problems(JobDefinition.builder("a".repeat(128)).task("t", "noop").build()))
        .isEmpty();
    assertThat(problems(JobDefinition.builder("a".repeat(129)).task("t", "noop").build()))
        .extracting(FieldError::field)
        .containsExactly("id");
  }

  @Test
  void controlCharactersAreEscapedInTheMessage() {
    assertThat(
            problems(JobDefinition.builder("bad\u0007id").task("t", "noop").build())
                .get(0)
                .message())
        .contains("bad\\u0007id");
  }

  @Test
  void cycleIsReportedOnTheDependsOnEntryWithThePath() {
    JobDefinition job =
        JobDefinition.builder("j")
            .task("a", "noop", "b")
            .task("b", "noop", "c")
            .task("c", "noop", "a")
            .build();
    assertThat(problems(job))
        .containsExactly(
            new FieldError("tasks[2].dependsOn[0]", "tasks form a cycle: a -> b -> c -> a"));
  }

  @Test
  void unknownAndSelfDependencies() {
    assertThat(problems(JobDefinition.builder("j").task("a", "noop", "zz").build()))
        .containsExactly(
            new FieldError("tasks[0].dependsOn[0]", "task 'a' depends on unknown task 'zz'"));
    assertThat(
            problems(
                JobDefinition.builder("j").task("a", "noop").task("b", "noop", "a", "b").build()))
        .containsExactly(new FieldError("tasks[1].dependsOn[1]", "task 'b' depends on itself"));
  }

  @Test
  void duplicateTaskIdsAndUnknownTypes() {
    JobDefinition job = JobDefinition.builder("j").task("a", "noop").task("a", "shell").build();
    assertThat(problems(job))
        .extracting(FieldError::field)
        .containsExactly("tasks[1].id", "tasks[1].type");
    assertThat(problems(job).get(1).message())
        .contains("unknown task type 'shell'")
        .contains("[http, noop]");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    JobDefinition job =
        new JobDefinition(
            "Bad/Id",
            "x".repeat(2000),
            null,
            List.of(),
            null,
            Duration.ofSeconds(-5),
            null,
            -1,
            null,
            false,
            Duration.ZERO);
    assertThat(problems(job))
        .extracting(FieldError::field)
        .containsExactly(
            "id", "description", "timeout", "misfireThreshold", "catchUpLimit", "tasks");
  }

  @Test
  void zeroNegativeAndHugeTimeoutsAreRefused() {
    assertThat(problems(valid().timeout(Duration.ZERO).build()))
        .extracting(FieldError::message)
        .containsExactly("must be positive, was PT0S");
    assertThat(problems(valid().timeout(Duration.ofDays(30)).build()))
        .extracting(FieldError::field)
        .containsExactly("timeout");
    JobDefinition taskTimeout =
        JobDefinition.builder("j")
            .task(new TaskDefinition("t", "noop", null, null, null, null, Duration.ofMillis(-1)))
            .build();
    assertThat(problems(taskTimeout))
        .extracting(FieldError::field)
        .containsExactly("tasks[0].timeout");
  }

  @Test
  void aZeroOrNegativeMisfireThresholdIsRefusedAsNotPositive() {
    assertThat(problems(valid().misfireThreshold(Duration.ZERO).build()))
        .containsExactly(new FieldError("misfireThreshold", "must be positive, was PT0S"));
    assertThat(problems(valid().misfireThreshold(Duration.ofSeconds(-30)).build()))
        .containsExactly(new FieldError("misfireThreshold", "must be positive, was PT-30S"));
  }

  @Test
  void aMisfireThresholdOutsideOneSecondToOneDayIsRefused() {
    assertThat(problems(valid().misfireThreshold(Duration.ofMillis(999)).build()))
        .containsExactly(
            new FieldError("misfireThreshold", "must be between PT1S and P1D, was PT0.999S"));
    assertThat(problems(valid().misfireThreshold(Duration.ofDays(1).plusSeconds(1)).build()))
        .containsExactly(
            new FieldError("misfireThreshold", "must be between PT1S and P1D, was PT24H1S"));
    assertThat(problems(valid().misfireThreshold(Duration.ofDays(7)).build()))
        .extracting(FieldError::field)
        .containsExactly("misfireThreshold");
  }

  @Test
  void aMisfireThresholdFromOneSecondToOneDayOrNoneIsAccepted() {
    assertThat(JobDefaults.MIN_MISFIRE_THRESHOLD).isEqualTo(Duration.ofSeconds(1));
    assertThat(JobDefaults.MAX_MISFIRE_THRESHOLD).isEqualTo(Duration.ofDays(1));
    for (Duration ok :
        List.of(
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofHours(2),
            Duration.ofDays(1))) {
      assertThat(problems(valid().misfireThreshold(ok).build())).as(ok.toString()).isEmpty();
    }
    assertThat(problems(valid().misfireThreshold(null).build())).isEmpty();
  }

  @Test
  void handlersValidateTheirOwnConfig() {
    TaskHandler strict =
        new TaskHandler() {
          @Override
          public TaskResult execute(TaskContext context) {
            return TaskResult.success();
          }

          @Override
          public void validateConfig(String prefix, Map<String, Object> config) {
            if (!config.containsKey("url")) {
              throw new JobValidationException(prefix + ".url", "must be set");
            }
          }
        };
    JobValidator withHttp = new JobValidator(Map.of("http", strict));
    assertThat(withHttp.problems(JobDefinition.builder("j").task("t", "http").build()))
        .containsExactly(new FieldError("tasks[0].config.url", "must be set"));
  }

  @Test
  void defaultsAreFilledAndDocumented() {
    JobDefinition job = JobDefinition.builder("j").task("t", "noop").build();
    assertThat(job.retry()).isEqualTo(JobDefaults.RETRY);
    assertThat(job.timeout()).isEqualTo(JobDefaults.TIMEOUT);
    assertThat(job.misfirePolicy()).isEqualTo(JobDefaults.MISFIRE_POLICY);
    assertThat(job.catchUpLimit()).isEqualTo(10);
    assertThat(job.concurrencyPolicy()).isEqualTo(ConcurrencyPolicy.FORBID);
    assertThat(job.misfireThreshold()).as("null: the node's setting").isNull();
    assertThat(job.misfireThresholdOr(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(60));
    assertThat(
            job.toBuilder()
                .misfireThreshold(Duration.ofSeconds(5))
                .build()
                .misfireThresholdOr(Duration.ofSeconds(60)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(job.timeoutOf(job.task("t"))).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> job.task("nope")).hasMessageContaining("no task 'nope'");
  }
}
