package dev.zkscheduler.store.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobAudit;
import dev.zkscheduler.job.JobDefaults;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.schedule.DstPolicy;
import dev.zkscheduler.schedule.IntervalSchedule;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /** A full job definition that sets every field. */
  private static final String API_EXAMPLE =
      """
      {
        "id": "daily-etl",
        "description": "optional text",
        "schedule": {"cron": "0 9 * * *", "timeZone": "America/New_York"},
        "tasks": [
          {"id": "extract",   "type": "http", "config": {"url": "http://127.0.0.1:9000/extract"}},
          {"id": "transform", "type": "http", "config": {"url": "..."}, "dependsOn": ["extract"]},
          {"id": "load",      "type": "http", "config": {"url": "..."}, "dependsOn": ["transform"],
           "retry": {"maxAttempts": 5}, "timeout": "PT10M"}
        ],
        "retry": {"maxAttempts": 3, "initialDelay": "PT1S", "multiplier": 2.0, "maxDelay": "PT5M", "jitter": 0.1},
        "timeout": "PT1H",
        "misfirePolicy": "FIRE_ONCE",
        "concurrencyPolicy": "FORBID",
        "paused": false
      }
      """;

  private static JobDefinition parse(String json) {
    return JobCodec.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
  }

  @Test
  void parsesTheApiExample() {
    JobDefinition job = parse(API_EXAMPLE);
    assertThat(job.id()).isEqualTo("daily-etl");
    assertThat(job.schedule()).isEqualTo(Schedule.cron("0 9 * * *", ZoneId.of("America/New_York")));
    assertThat(job.tasks())
        .extracting(TaskDefinition::id)
        .containsExactly("extract", "transform", "load");
    assertThat(job.tasks().get(0).config()).containsEntry("url", "http://127.0.0.1:9000/extract");
    assertThat(job.retry())
        .isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.1));
    // A task's partial retry inherits the job's other retry settings.
    assertThat(job.tasks().get(2).retry())
        .isEqualTo(new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.1));
    assertThat(job.tasks().get(2).timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(job.catchUpLimit()).isEqualTo(JobDefaults.CATCH_UP_LIMIT);
  }

  @Test
  void anIntervalWithoutStartAtIsAnchoredAtCreation() {
    JobDefinition job =
        parse(
            "{\"id\":\"j\",\"schedule\":{\"interval\":\"PT15M\"},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}");
    assertThat(job.schedule()).isEqualTo(new IntervalSchedule(Duration.ofMinutes(15), NOW));
  }

  @Test
  void everyMalformedFieldIsNamedByItsPath() {
    String json =
        """
        {"id": 5, "schedule": {"cron": "0 9 * *", "timeZone": "America/New_York"},
         "tasks": [{"id": "a", "type": "noop", "dependsOn": [1], "triggerRule": "SOMETIMES"}, "x"],
         "retry": {"maxAttempts": 0}, "timeout": "one hour", "paused": "no"}
        """;
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactlyInAnyOrder(
                        "id",
                        "schedule.cron",
                        "retry.maxAttempts",
                        "timeout",
                        "paused",
                        "tasks[0].dependsOn[0]",
                        "tasks[0].triggerRule",
                        "tasks[1]"));
  }

  @Test
  void scheduleMustBeExactlyOneKind() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"id\":\"j\",\"schedule\":{\"cron\":\"* * * * *\",\"at\":\"2026-01-01T00:00:00Z\"},\"tasks\":[]}"))
        .hasMessageContaining("schedule: must have exactly one of");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"id\":\"j\",\"schedule\":{\"cron\":\"* * * * *\",\"timeZone\":\"Nowhere/Land\"}}"))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("schedule.timeZone"));
    assertThatThrownBy(() -> parse("{\"id\":\"j\",\"schedule\":{\"interval\":\"-PT1M\"}}"))
        .hasMessageContaining("schedule.interval: must be positive");
  }

  @Test
  void malformedJsonIsAValidationErrorNotACrash() {
    assertThatThrownBy(() -> parse("{\"id\": "))
        .isInstanceOf(JobValidationException.class)
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> parse("[1,2]")).hasMessageContaining("must be a JSON object");
  }

  @Test
  void anAuditIsStoredButIsNeitherTheApiShapeNorReadFromAUsersJob() {
    JobAudit audit =
        new JobAudit(
            "alice",
            Instant.parse("2026-11-25T10:00:00Z"),
            "bob",
            Instant.parse("2026-11-25T11:00:00Z"));
    JobDefinition job = parse("{\"id\":\"j\"}").withAudit(audit);

    assertThat(JobCodec.decode(JobCodec.encode(job))).isEqualTo(job);
    assertThat(JobCodec.toJson(job)).doesNotContain("createdBy").doesNotContain("updatedAt");
    assertThat(parse("{\"id\":\"j\",\"createdBy\":\"mallory\",\"updatedBy\":\"mallory\"}").audit())
        .isNull();

    JobAudit unknownCreation = new JobAudit(null, null, "bob", audit.updatedAt());
    byte[] changedOnly = JobCodec.encode(job.withAudit(unknownCreation));
    assertThat(new String(changedOnly, StandardCharsets.UTF_8)).doesNotContain("createdBy");
    assertThat(JobCodec.decode(changedOnly).audit()).isEqualTo(unknownCreation);
  }

  @Test
  void aStoredAuditOfTheWrongShapeIsUnreadableNotGuessed() {
    String stored =
        "{\"id\":\"j\",\"tasks\":[],\"createdBy\":\"alice\",\"updatedAt\":\"2026-11-25T10:00:00Z\",\"v\":1}";
    assertThatThrownBy(() -> JobCodec.decode(stored.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("audit");
    String wrongType = "{\"id\":\"j\",\"tasks\":[],\"updatedBy\":7,\"v\":1}";
    assertThatThrownBy(() -> JobCodec.decode(wrongType.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("updatedBy");
  }

  @Test
  void aMisfireThresholdIsReadWrittenAndNamedWhenMalformed() {
    JobDefinition job = parse("{\"id\":\"j\",\"misfireThreshold\":\"PT5S\"}");
    assertThat(job.misfireThreshold()).isEqualTo(Duration.ofSeconds(5));
    assertThat(JobCodec.toJson(job)).contains("\"misfireThreshold\":\"PT5S\"");
    assertThat(JobCodec.decode(JobCodec.encode(job))).isEqualTo(job);
    assertThat(parse("{\"id\":\"j\"}").misfireThreshold()).isNull();
    assertThat(JobCodec.toJson(parse("{\"id\":\"j\"}"))).doesNotContain("misfireThreshold");
    assertThatThrownBy(() -> parse("{\"id\":\"j\",\"misfireThreshold\":\"5 seconds\"}"))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        new FieldError(
                            "misfireThreshold",
                            "'5 seconds' is not an ISO-8601 duration such as PT15M")));
  }

  @Test
  void unknownFieldsAreTolerated() {
    JobDefinition job =
        JobCodec.decode(
            "{\"v\":1,\"id\":\"j\",\"futureField\":{\"x\":1},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"extra\":true}]}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(job.id()).isEqualTo("j");
  }

  @Test
  void storedDocumentsNeedAKnownFormatVersion() {
    assertThatThrownBy(() -> JobCodec.decode("{\"id\":\"j\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("no format version");
    assertThatThrownBy(() -> RunCodec.decode("{\"v\":3}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("format version 3");
    assertThatThrownBy(() -> JobCodec.decode("{\"v\":2}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("format version 2");
    assertThatThrownBy(() -> RunCodec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void oversizedJobsAreRefusedBeforeStorage() {
    JobDefinition big =
        JobDefinition.builder("big")
            .task(
                new TaskDefinition(
                    "t", "noop", Map.of("blob", "x".repeat(70_000)), null, null, null, null))
            .build();
    assertThatThrownBy(() -> JobCodec.encode(big))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("over the limit of 65536 bytes");
  }

  @Test
  void runsRoundTrip() {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    tasks.put(
        "extract",
        new TaskRun(TaskState.SUCCEEDED, 1, NOW, NOW.plusSeconds(3), null, "node-1", null));
    tasks.put(
        "load",
        new TaskRun(TaskState.RETRY_WAIT, 2, NOW, null, NOW.plusSeconds(30), "node-2", "HTTP 503"));
    Run run =
        new Run(
            "20261125T100000Z",
            "etl",
            NOW,
            RunTrigger.SCHEDULE,
            RunState.RUNNING,
            NOW,
            NOW,
            null,
            42,
            tasks);
    Run back = RunCodec.decode(RunCodec.encode(run));
    assertThat(back).isEqualTo(run);
    assertThat(back.tasks().keySet()).containsExactly("extract", "load");
  }

  @Test
  void scheduleStateAndRequestsRoundTrip() {
    ScheduleState state = new ScheduleState("etl", NOW, NOW.plusSeconds(60), 3);
    assertThat(ScheduleStateCodec.decode(ScheduleStateCodec.encode(state))).isEqualTo(state);
    ControlRequest request =
        new ControlRequest(
            "req-1",
            ControlRequest.Kind.BACKFILL,
            "etl",
            List.of("a", "b"),
            List.of(NOW, NOW.plusSeconds(1)),
            NOW,
            "node-3");
    assertThat(RequestCodec.decode(RequestCodec.encode(request))).isEqualTo(request);
  }

  @Property(tries = 200)
  void jobsRoundTrip(@ForAll("jobs") JobDefinition job) {
    assertThat(JobCodec.decode(JobCodec.encode(job))).isEqualTo(job);
    assertThat(parse(JobCodec.toJson(job))).isEqualTo(job);
  }

  @Provide
  Arbitrary<JobDefinition> jobs() {
    Arbitrary<String> ids =
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
    Arbitrary<Schedule> schedules =
        Arbitraries.oneOf(
            Arbitraries.of("0 9 * * *", "*/5 * * * *", "0 0 12 L * ?")
                .flatMap(
                    c ->
                        Arbitraries.of("UTC", "Asia/Kolkata", "Pacific/Chatham")
                            .flatMap(
                                z ->
                                    Arbitraries.of(DstPolicy.values())
                                        .map(
                                            p ->
                                                (Schedule)
                                                    Schedule.cron(
                                                        c,
                                                        dev.zkscheduler.schedule.Zones.parse(z),
                                                        p)))),
            Arbitraries.longs()
                .between(1, 86_400)
                .map(s -> Schedule.interval(Duration.ofSeconds(s), NOW)),
            Arbitraries.longs().between(0, 1_000_000).map(s -> Schedule.once(NOW.plusSeconds(s))),
            Arbitraries.just(null));
    Arbitrary<TaskDefinition> tasks =
        Combinators.combine(
                ids,
                Arbitraries.of("http", "noop"),
                Arbitraries.of(TriggerRule.values()),
                Arbitraries.integers().between(1, 10),
                Arbitraries.maps(
                        ids,
                        Arbitraries.oneOf(
                            Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                            Arbitraries.integers().map(i -> (Object) i),
                            Arbitraries.of(true, false).map(b -> (Object) b)))
                    .ofMaxSize(3))
            .as(
                (id, type, rule, attempts, config) ->
                    new TaskDefinition(
                        id,
                        type,
                        config,
                        List.of(),
                        rule,
                        attempts == 1
                            ? null
                            : new RetryPolicy(
                                attempts, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2),
                        attempts % 2 == 0 ? Duration.ofMinutes(attempts) : null));
    return Combinators.combine(
            ids,
            schedules,
            tasks.list().ofMinSize(1).ofMaxSize(4),
            Arbitraries.of(MisfirePolicy.values()),
            Arbitraries.of(ConcurrencyPolicy.values()),
            Arbitraries.integers().between(1, 1000),
            Arbitraries.of(true, false),
            Arbitraries.strings().ofMaxLength(30).injectNull(0.3))
        .as(
            (id, schedule, taskList, misfire, concurrency, limit, paused, description) ->
                new JobDefinition(
                    id,
                    description,
                    schedule,
                    taskList,
                    null,
                    Duration.ofMinutes(limit),
                    misfire,
                    limit,
                    concurrency,
                    paused,
                    null))
        .flatMap(
            job ->
                Arbitraries.longs()
                    .between(1, 86_400)
                    .map(Duration::ofSeconds)
                    .injectNull(0.5)
                    .map(threshold -> job.toBuilder().misfireThreshold(threshold).build()));
  }
}
