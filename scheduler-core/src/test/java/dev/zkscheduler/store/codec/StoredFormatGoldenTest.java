package dev.zkscheduler.store.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobAudit;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.schedule.DstPolicy;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.schedule.Zones;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stored format, byte for byte. Documents written by a running cluster must stay readable and
 * nodes of two releases share one ZooKeeper during an upgrade, so any change to what the codecs
 * write is a format change: it needs a new format version, not an edit of these documents. The one
 * exception is an optional field written only when set, which older nodes ignore ({@link
 * StoredFormat}): the documents without it stay as they are, and one with it is added here.
 */
class StoredFormatGoldenTest {

  private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

  private static final String STORED_JOB =
      "{\"id\":\"daily-etl\",\"description\":\"loads \\\"sales\\\" \u00fc\",\"schedule\":{\"cron\":\"0 9 * * *\",\"timeZone\":\"America/New_York\",\"dstPolicy\":\"SHIFT_FORWARD\"},\"tasks\":[{\"id\":\"extract\",\"type\":\"http\",\"config\":{\"url\":\"http://127.0.0.1:9000/extract\",\"headers\":{\"Accept\":\"application/json\"},\"codes\":[200,204],\"verbose\":true},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"},{\"id\":\"load\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[\"extract\"],\"triggerRule\":\"ALL_DONE\",\"retry\":{\"maxAttempts\":5,\"initialDelay\":\"PT2S\",\"multiplier\":1.5,\"maxDelay\":\"PT1M\",\"jitter\":0.0},\"timeout\":\"PT10M\"}],\"retry\":{\"maxAttempts\":3,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.1},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"catchUpLimit\":7,\"concurrencyPolicy\":\"ALLOW\",\"paused\":true,\"v\":1}";

  private static final String API_JOB =
      "{\"id\":\"daily-etl\",\"description\":\"loads \\\"sales\\\" \u00fc\",\"schedule\":{\"cron\":\"0 9 * * *\",\"timeZone\":\"America/New_York\",\"dstPolicy\":\"SHIFT_FORWARD\"},\"tasks\":[{\"id\":\"extract\",\"type\":\"http\",\"config\":{\"url\":\"http://127.0.0.1:9000/extract\",\"headers\":{\"Accept\":\"application/json\"},\"codes\":[200,204],\"verbose\":true},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"},{\"id\":\"load\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[\"extract\"],\"triggerRule\":\"ALL_DONE\",\"retry\":{\"maxAttempts\":5,\"initialDelay\":\"PT2S\",\"multiplier\":1.5,\"maxDelay\":\"PT1M\",\"jitter\":0.0},\"timeout\":\"PT10M\"}],\"retry\":{\"maxAttempts\":3,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.1},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"catchUpLimit\":7,\"concurrencyPolicy\":\"ALLOW\",\"paused\":true}";

  private static final String STORED_INTERVAL_JOB =
      "{\"id\":\"every\",\"schedule\":{\"interval\":\"PT15M\",\"startAt\":\"2026-11-25T10:00:00Z\"},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"}],\"retry\":{\"maxAttempts\":1,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.0},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"catchUpLimit\":10,\"concurrencyPolicy\":\"FORBID\",\"paused\":false,\"v\":1}";

  private static final String STORED_ONCE_JOB =
      "{\"id\":\"once\",\"schedule\":{\"at\":\"2026-11-25T10:00:00Z\"},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"}],\"retry\":{\"maxAttempts\":1,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.0},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"catchUpLimit\":10,\"concurrencyPolicy\":\"FORBID\",\"paused\":false,\"v\":1}";

  /**
   * A job with its own {@code misfireThreshold}: still format 1, the field after {@code
   * misfirePolicy}; a node that predates it reads the job and ignores the field.
   */
  private static final String STORED_INTERVAL_JOB_WITH_MISFIRE_THRESHOLD =
      "{\"id\":\"every\",\"schedule\":{\"interval\":\"PT15M\",\"startAt\":\"2026-11-25T10:00:00Z\"},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"}],\"retry\":{\"maxAttempts\":1,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.0},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"misfireThreshold\":\"PT5M\",\"catchUpLimit\":10,\"concurrencyPolicy\":\"FORBID\",\"paused\":false,\"v\":1}";

  /**
   * A job with its audit: still format 1, the four fields after {@code paused}; a node that
   * predates them reads the job and ignores them.
   */
  private static final String STORED_INTERVAL_JOB_WITH_AUDIT =
      "{\"id\":\"every\",\"schedule\":{\"interval\":\"PT15M\",\"startAt\":\"2026-11-25T10:00:00Z\"},\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\"}],\"retry\":{\"maxAttempts\":1,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.0},\"timeout\":\"PT1H\",\"misfirePolicy\":\"FIRE_ONCE\",\"catchUpLimit\":10,\"concurrencyPolicy\":\"FORBID\",\"paused\":false,\"createdBy\":\"ci-admin\",\"createdAt\":\"2026-11-25T10:00:00Z\",\"updatedBy\":\"on-call\",\"updatedAt\":\"2026-11-25T10:05:00Z\",\"v\":1}";

  /** Format 2: the run carries its DAG, with retries and timeouts resolved. */
  private static final String STORED_RUN =
      "{\"v\":2,\"id\":\"20261125T100000Z\",\"jobId\":\"daily-etl\",\"nominalTime\":\"2026-11-25T10:00:00Z\",\"trigger\":\"SCHEDULE\",\"state\":\"RUNNING\",\"createdAt\":\"2026-11-25T10:00:00Z\",\"startedAt\":\"2026-11-25T10:00:01Z\",\"epoch\":42,\"tasks\":{\"extract\":{\"state\":\"SUCCEEDED\",\"attempts\":1,\"startedAt\":\"2026-11-25T10:00:00Z\",\"finishedAt\":\"2026-11-25T10:00:03Z\",\"node\":\"node-1\"},\"load\":{\"state\":\"RETRY_WAIT\",\"attempts\":2,\"startedAt\":\"2026-11-25T10:00:00Z\",\"nextAttemptAt\":\"2026-11-25T10:00:30Z\",\"node\":\"node-2\",\"error\":\"HTTP 503\"}},\"dag\":{\"timeout\":\"PT1H\",\"jobCreated\":4294967302,\"tasks\":{\"extract\":{\"type\":\"http\",\"config\":{\"url\":\"http://127.0.0.1:9000/extract\",\"codes\":[200,204],\"verbose\":true},\"retry\":{\"maxAttempts\":3,\"initialDelay\":\"PT1S\",\"multiplier\":2.0,\"maxDelay\":\"PT5M\",\"jitter\":0.1},\"timeout\":\"PT1H\"},\"load\":{\"type\":\"noop\",\"dependsOn\":[\"extract\"],\"triggerRule\":\"ALL_DONE\",\"retry\":{\"maxAttempts\":5,\"initialDelay\":\"PT2S\",\"multiplier\":1.5,\"maxDelay\":\"PT1M\",\"jitter\":0.0},\"timeout\":\"PT10M\"}}}}";

  /** A run as format 1 wrote it, before runs kept their DAG: it must still read. */
  private static final String STORED_RUN_V1 =
      "{\"v\":1,\"id\":\"20261125T100000Z\",\"jobId\":\"daily-etl\",\"nominalTime\":\"2026-11-25T10:00:00Z\",\"trigger\":\"SCHEDULE\",\"state\":\"RUNNING\",\"createdAt\":\"2026-11-25T10:00:00Z\",\"startedAt\":\"2026-11-25T10:00:01Z\",\"epoch\":42,\"tasks\":{\"extract\":{\"state\":\"SUCCEEDED\",\"attempts\":1,\"startedAt\":\"2026-11-25T10:00:00Z\",\"finishedAt\":\"2026-11-25T10:00:03Z\",\"node\":\"node-1\"},\"load\":{\"state\":\"RETRY_WAIT\",\"attempts\":2,\"startedAt\":\"2026-11-25T10:00:00Z\",\"nextAttemptAt\":\"2026-11-25T10:00:30Z\",\"node\":\"node-2\",\"error\":\"HTTP 503\"}}}";

  private static final String STORED_SCHEDULE_STATE =
      "{\"v\":1,\"jobId\":\"daily-etl\",\"lastNominalFire\":\"2026-11-25T10:00:00Z\",\"nextFire\":\"2026-11-26T10:00:00Z\",\"definitionVersion\":3,\"jobCreated\":4294967302}";

  private static final String STORED_SCHEDULE_STATE_WITH_RUNS =
      "{\"v\":1,\"jobId\":\"daily-etl\",\"lastNominalFire\":\"2026-11-25T10:00:00Z\",\"nextFire\":\"2026-11-26T10:00:00Z\",\"definitionVersion\":3,\"jobCreated\":4294967302,\"activeRunIds\":[\"20261125T100000.000Z\",\"20261125T093000.123Z-m-7f3a1c\"]}";

  private static final String STORED_FIRST_SCHEDULE_STATE =
      "{\"v\":1,\"jobId\":\"new-job\",\"nextFire\":\"2026-11-25T10:00:00Z\",\"definitionVersion\":0}";

  private static final String STORED_REQUEST =
      "{\"v\":1,\"id\":\"req-1\",\"kind\":\"BACKFILL\",\"jobId\":\"daily-etl\",\"runIds\":[\"a\",\"b\"],\"nominalTimes\":[\"2026-11-25T10:00:00Z\",\"2026-11-25T11:00:00Z\"],\"requestedAt\":\"2026-11-25T10:00:00Z\",\"requestedBy\":\"node-3\"}";

  /** Sets every field, with non-default policies, nested config and a character to escape. */
  private static JobDefinition fullJob() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("url", "http://127.0.0.1:9000/extract");
    config.put("headers", Map.of("Accept", "application/json"));
    config.put("codes", List.of(200, 204));
    config.put("verbose", true);
    return new JobDefinition(
        "daily-etl",
        "loads \"sales\" \u00fc",
        Schedule.cron("0 9 * * *", Zones.parse("America/New_York"), DstPolicy.DEFAULT),
        List.of(
            new TaskDefinition("extract", "http", config, List.of(), null, null, null),
            new TaskDefinition(
                "load",
                "noop",
                null,
                List.of("extract"),
                TriggerRule.ALL_DONE,
                new RetryPolicy(5, Duration.ofSeconds(2), 1.5, Duration.ofMinutes(1), 0.0),
                Duration.ofMinutes(10))),
        new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.1),
        Duration.ofHours(1),
        MisfirePolicy.FIRE_ONCE,
        7,
        ConcurrencyPolicy.ALLOW,
        true,
        null);
  }

  private static JobDefinition intervalJob() {
    return JobDefinition.builder("every")
        .schedule(Schedule.interval(Duration.ofMinutes(15), T))
        .task("t", "noop")
        .build();
  }

  private static JobDefinition onceJob() {
    return JobDefinition.builder("once").schedule(Schedule.once(T)).task("t", "noop").build();
  }

  /** {@link #runWithTasks()} with the DAG of a {@link #fullJob()}-like job pinned. */
  private static Run runWithDag() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("url", "http://127.0.0.1:9000/extract");
    config.put("codes", List.of(200, 204));
    config.put("verbose", true);
    Map<String, PinnedDag.Task> tasks = new LinkedHashMap<>();
    tasks.put(
        "extract",
        new PinnedDag.Task(
            "http",
            config,
            List.of(),
            TriggerRule.ALL_SUCCESS,
            new PinnedDag.Retry(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.1),
            Duration.ofHours(1)));
    tasks.put(
        "load",
        new PinnedDag.Task(
            "noop",
            null,
            List.of("extract"),
            TriggerRule.ALL_DONE,
            new PinnedDag.Retry(5, Duration.ofSeconds(2), 1.5, Duration.ofMinutes(1), 0.0),
            Duration.ofMinutes(10)));
    Run run = runWithTasks();
    return new Run(
        run.id(),
        run.jobId(),
        run.nominalTime(),
        run.trigger(),
        run.state(),
        run.createdAt(),
        run.startedAt(),
        run.finishedAt(),
        run.epoch(),
        run.tasks(),
        new PinnedDag(Duration.ofHours(1), tasks, 4_294_967_302L));
  }

  private static Run runWithTasks() {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    tasks.put(
        "extract", new TaskRun(TaskState.SUCCEEDED, 1, T, T.plusSeconds(3), null, "node-1", null));
    tasks.put(
        "load",
        new TaskRun(TaskState.RETRY_WAIT, 2, T, null, T.plusSeconds(30), "node-2", "HTTP 503"));
    return new Run(
        "20261125T100000Z",
        "daily-etl",
        T,
        RunTrigger.SCHEDULE,
        RunState.RUNNING,
        T,
        T.plusSeconds(1),
        null,
        42,
        tasks);
  }

  private static ControlRequest backfill() {
    return new ControlRequest(
        "req-1",
        ControlRequest.Kind.BACKFILL,
        "daily-etl",
        List.of("a", "b"),
        List.of(T, T.plusSeconds(3600)),
        T,
        "node-3");
  }

  @Test
  void aJobsOwnMisfireThresholdIsStoredInFormatOneAndReadBack() {
    JobDefinition job = intervalJob().toBuilder().misfireThreshold(Duration.ofMinutes(5)).build();

    assertThat(text(JobCodec.encode(job))).isEqualTo(STORED_INTERVAL_JOB_WITH_MISFIRE_THRESHOLD);
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB_WITH_MISFIRE_THRESHOLD))).isEqualTo(job);
  }

  @Test
  void aJobsAuditIsStoredInFormatOneAndReadBack() {
    JobDefinition job =
        intervalJob()
            .withAudit(new JobAudit("ci-admin", T, "on-call", T.plus(Duration.ofMinutes(5))));

    assertThat(text(JobCodec.encode(job))).isEqualTo(STORED_INTERVAL_JOB_WITH_AUDIT);
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB_WITH_AUDIT))).isEqualTo(job);
  }

  /** The golden jobs above were written before audits were kept: they read with none. */
  @Test
  void jobsStoredWithoutAnAuditReadWithNone() {
    assertThat(JobCodec.decode(bytes(STORED_JOB)).audit()).isNull();
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB)).audit()).isNull();
    assertThat(JobCodec.decode(bytes(STORED_ONCE_JOB)).audit()).isNull();
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB_WITH_MISFIRE_THRESHOLD)).audit()).isNull();
  }

  /** The golden jobs above were written before the field existed: they read as the node's. */
  @Test
  void jobsStoredWithoutAMisfireThresholdReadAsTheNodesSetting() {
    assertThat(JobCodec.decode(bytes(STORED_JOB)).misfireThreshold()).isNull();
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB)).misfireThreshold()).isNull();
    assertThat(JobCodec.decode(bytes(STORED_ONCE_JOB)).misfireThreshold()).isNull();
  }

  @Test
  void jobsAreStoredInTheGoldenFormat() {
    assertThat(text(JobCodec.encode(fullJob()))).isEqualTo(STORED_JOB);
    assertThat(text(JobCodec.encode(intervalJob()))).isEqualTo(STORED_INTERVAL_JOB);
    assertThat(text(JobCodec.encode(onceJob()))).isEqualTo(STORED_ONCE_JOB);
    assertThat(JobCodec.decode(bytes(STORED_JOB))).isEqualTo(fullJob());
    assertThat(JobCodec.decode(bytes(STORED_INTERVAL_JOB))).isEqualTo(intervalJob());
    assertThat(JobCodec.decode(bytes(STORED_ONCE_JOB))).isEqualTo(onceJob());
  }

  @Test
  void theApiShapeIsTheStoredOneWithoutAVersion() {
    assertThat(JobCodec.toJson(fullJob())).isEqualTo(API_JOB);
    assertThat(JobCodec.parse(bytes(API_JOB), T)).isEqualTo(fullJob());
  }

  @Test
  void runsAreStoredInTheGoldenFormat() {
    assertThat(text(RunCodec.encode(runWithDag()))).isEqualTo(STORED_RUN);
    assertThat(RunCodec.decode(bytes(STORED_RUN))).isEqualTo(runWithDag());
  }

  /**
   * Runs and schedule states written before they named their job's creation read as "not known"
   * (0), which no comparison of creations takes for a different job.
   */
  @Test
  void recordsWithoutTheJobsCreationStillRead() {
    String run = STORED_RUN.replace("\"jobCreated\":4294967302,", "");
    assertThat(run).isNotEqualTo(STORED_RUN);
    assertThat(RunCodec.decode(bytes(run)).dag().jobCreated()).isZero();
    String state = STORED_SCHEDULE_STATE.replace(",\"jobCreated\":4294967302", "");
    assertThat(state).isNotEqualTo(STORED_SCHEDULE_STATE);
    assertThat(ScheduleStateCodec.decode(bytes(state)).jobCreated()).isZero();
  }

  /** Runs written before format 2 read as runs without a DAG of their own. */
  @Test
  void formatOneRunsStillRead() {
    assertThat(RunCodec.decode(bytes(STORED_RUN_V1))).isEqualTo(runWithTasks());
    assertThat(RunCodec.decode(bytes(STORED_RUN_V1)).dag()).isNull();
  }

  @Test
  void scheduleStatesAreStoredInTheGoldenFormat() {
    ScheduleState state =
        new ScheduleState("daily-etl", T, T.plusSeconds(86_400), 3, 4_294_967_302L);
    ScheduleState first = new ScheduleState("new-job", null, T, 0);
    assertThat(text(ScheduleStateCodec.encode(state))).isEqualTo(STORED_SCHEDULE_STATE);
    assertThat(text(ScheduleStateCodec.encode(first))).isEqualTo(STORED_FIRST_SCHEDULE_STATE);
    assertThat(ScheduleStateCodec.decode(bytes(STORED_SCHEDULE_STATE))).isEqualTo(state);
    assertThat(ScheduleStateCodec.decode(bytes(STORED_FIRST_SCHEDULE_STATE))).isEqualTo(first);
  }

  /**
   * The runs in flight are listed only when there are any, so a record without them reads exactly
   * as before layout 3, and states stored before the list read as listing no run.
   */
  @Test
  void aScheduleStateListsItsRunsInFlightOnlyWhenThereAreAny() {
    ScheduleState state =
        new ScheduleState(
            "daily-etl",
            T,
            T.plusSeconds(86_400),
            3,
            4_294_967_302L,
            List.of("20261125T100000.000Z", "20261125T093000.123Z-m-7f3a1c"));
    assertThat(text(ScheduleStateCodec.encode(state))).isEqualTo(STORED_SCHEDULE_STATE_WITH_RUNS);
    assertThat(ScheduleStateCodec.decode(bytes(STORED_SCHEDULE_STATE_WITH_RUNS))).isEqualTo(state);
    assertThat(ScheduleStateCodec.decode(bytes(STORED_SCHEDULE_STATE)).activeRunIds()).isEmpty();
    assertThat(text(ScheduleStateCodec.encode(state.withActiveRunIds(List.of()))))
        .isEqualTo(STORED_SCHEDULE_STATE);
  }

  @Test
  void aListedRunIdThatIsNotAStringIsRefusedNamingTheField() {
    String bad = STORED_SCHEDULE_STATE_WITH_RUNS.replace("\"20261125T093000.123Z-m-7f3a1c\"", "7");
    assertThatThrownBy(() -> ScheduleStateCodec.decode(bytes(bad)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("activeRunIds[1]");
  }

  @Test
  void requestsAreStoredInTheGoldenFormat() {
    assertThat(text(RequestCodec.encode(backfill()))).isEqualTo(STORED_REQUEST);
    assertThat(RequestCodec.decode(bytes(STORED_REQUEST))).isEqualTo(backfill());
  }

  private static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
