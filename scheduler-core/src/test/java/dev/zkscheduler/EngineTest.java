package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.engine.ManualLeadership;
import dev.zkscheduler.engine.MutableClock;
import dev.zkscheduler.engine.RunIds;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine against the in-memory store, a hand-moved clock and hand-granted leadership. */
class EngineTest {

  private static final Instant T0 = Instant.parse("2026-12-01T14:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final InMemorySchedulerStore store = new InMemorySchedulerStore();
  private final ManualLeadership leadership = new ManualLeadership(store, "node-1", clock);
  private final MetricRegistry metrics = new MetricRegistry();

  /** Every handler start: "job/run/task#attempt". */
  private final List<String> ledger = new CopyOnWriteArrayList<>();

  private final ConcurrentHashMap<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private CountDownLatch release = new CountDownLatch(0);
  private SchedulerNode node;

  @BeforeEach
  void start() {
    leadership.grant();
    node = newNode();
    node.start();
  }

  private SchedulerNode newNode() {
    return (SchedulerNode)
        Scheduler.builder()
            .memberId("node-1")
            .store(store)
            .leadership(leadership)
            .clock(clock)
            .metrics(metrics)
            .settings(
                EngineSettings.DEFAULT
                    .withTickInterval(Duration.ofSeconds(10))
                    .withMisfireThreshold(Duration.ofSeconds(30)))
            .handler("record", this::record)
            .handler("block", this::block)
            .handler("stubborn", this::stubborn)
            .build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    node.close();
  }

  private TaskResult record(TaskContext ctx) {
    ledger.add(ctx.jobId() + "/" + ctx.runId() + "/" + ctx.taskId() + "#" + ctx.attempt());
    AtomicInteger left = failuresLeft.get(ctx.taskId());
    if (left != null && left.getAndDecrement() > 0) {
      return TaskResult.failure("planned failure");
    }
    return TaskResult.success();
  }

  private TaskResult block(TaskContext ctx) throws InterruptedException {
    ledger.add(ctx.jobId() + "/" + ctx.runId() + "/" + ctx.taskId() + "#" + ctx.attempt());
    release.await();
    return TaskResult.success();
  }

  /** Ignores interrupts and cancellation until released: the engine must not wait for it. */
  private TaskResult stubborn(TaskContext ctx) {
    ledger.add(ctx.jobId() + "/" + ctx.runId() + "/" + ctx.taskId() + "#" + ctx.attempt());
    while (true) {
      try {
        if (release.await(50, TimeUnit.MILLISECONDS)) {
          return TaskResult.success();
        }
      } catch (InterruptedException ignored) {
        // Deliberately ignored.
      }
    }
  }

  private JobDefinition everyMinute(String id, String type) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .task("t", type)
        .build();
  }

  /** Ticks until {@code condition} holds: handlers finish on their own threads. */
  private void tickUntil(java.util.concurrent.Callable<Boolean> condition) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              node.tickNow();
              return condition.call();
            });
  }

  private void tickAt(Instant instant) {
    clock.set(instant);
    node.tickNow();
  }

  private Run awaitRun(String jobId, String runId, RunState state) {
    tickUntil(() -> node.run(jobId, runId).map(r -> r.state() == state).orElse(false));
    return node.run(jobId, runId).orElseThrow();
  }

  private static String id(Instant nominal) {
    return RunIds.scheduled(nominal);
  }

  @Test
  void anIntervalJobFiresOnItsGridWithDeterministicRunIds() {
    node.createJob(everyMinute("etl", "record"));
    node.tickNow();
    assertThat(node.runs("etl", 10)).isEmpty();
    tickAt(T0.plusSeconds(60));
    Run first = awaitRun("etl", "20261201T140100.000Z", RunState.SUCCEEDED);
    assertThat(first.nominalTime()).isEqualTo(T0.plusSeconds(60));
    assertThat(first.trigger()).isEqualTo(RunTrigger.SCHEDULE);
    tickAt(T0.plusSeconds(125));
    awaitRun("etl", id(T0.plusSeconds(120)), RunState.SUCCEEDED);
    assertThat(ledger)
        .containsExactly("etl/20261201T140100.000Z/t#1", "etl/20261201T140200.000Z/t#1");
    assertThat(node.status("etl").nextFireTime()).isEqualTo(T0.plusSeconds(180));
  }

  /** One fenced write per fire, not two: the run is created with its first task started. */
  @Test
  void aRunIsCreatedWithItsFirstTasksStartedInOneWrite() {
    release = new CountDownLatch(1);
    node.createJob(everyMinute("etl", "block"));
    node.tickNow();
    tickAt(T0.plusSeconds(60));
    String runId = id(T0.plusSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.contains("etl/" + runId + "/t#1"));
    var stored = store.run("etl", runId).orElseThrow();
    assertThat(stored.version()).as("created once, never rewritten to start it").isZero();
    assertThat(stored.value().state()).isEqualTo(RunState.RUNNING);
    assertThat(stored.value().tasks().get("t").state()).isEqualTo(TaskState.RUNNING);
    assertThat(stored.value().tasks().get("t").attempts()).isEqualTo(1);
    assertThat(stored.value().tasks().get("t").node()).isEqualTo("node-1");
  }

  /**
   * docs/design.md, G8: a follower's tick does no work; timers stay; work resumes on re-election.
   */
  @Test
  void aFollowerDoesNothingAndWorkResumesWithLeadership() {
    node.createJob(everyMinute("j", "record"));
    node.tickNow();
    leadership.revoke();
    tickAt(T0.plusSeconds(60));
    tickAt(T0.plusSeconds(70));
    assertThat(node.runs("j", 10)).isEmpty();
    assertThat(ledger).isEmpty();
    leadership.grant();
    tickAt(T0.plusSeconds(75));
    awaitRun("j", id(T0.plusSeconds(60)), RunState.SUCCEEDED);
  }

  /**
   * G5: a task starts only after its upstream succeeded; the reversed order of docs/design.md,
   * section 5, cannot happen.
   */
  @Test
  void dagTasksRunInDependencyOrder() {
    JobDefinition etl =
        JobDefinition.builder("etl")
            .task("load", "record", "transform")
            .task("transform", "record", "extract")
            .task("extract", "record")
            .build();
    node.createJob(etl);
    node.tickNow();
    String runId = node.trigger("etl");
    Run run = awaitRun("etl", runId, RunState.SUCCEEDED);
    assertThat(ledger)
        .containsExactly(
            "etl/" + runId + "/extract#1",
            "etl/" + runId + "/transform#1",
            "etl/" + runId + "/load#1");
    assertThat(run.trigger()).isEqualTo(RunTrigger.MANUAL);
    assertThat(run.tasks().get("load").startedAt())
        .isAfterOrEqualTo(run.tasks().get("transform").finishedAt());
  }

  @Test
  void aFailedUpstreamFailsTheRunAndDownstreamNeverStarts() {
    failuresLeft.put("extract", new AtomicInteger(1));
    node.createJob(
        JobDefinition.builder("etl")
            .task("extract", "record")
            .task("load", "record", "extract")
            .build());
    node.tickNow();
    String runId = node.trigger("etl");
    Run run = awaitRun("etl", runId, RunState.FAILED);
    assertThat(run.tasks().get("load").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
    assertThat(run.tasks().get("extract").error()).isEqualTo("planned failure");
    assertThat(ledger).containsExactly("etl/" + runId + "/extract#1");
  }

  /** G7: retries wait in RETRY_WAIT with the next attempt persisted, then run again. */
  @Test
  void retriesWaitTheirPersistedDelay() {
    failuresLeft.put("t", new AtomicInteger(2));
    RetryPolicy retry = new RetryPolicy(3, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1), 0.0);
    node.createJob(JobDefinition.builder("flaky").retry(retry).task("t", "record").build());
    node.tickNow();
    String runId = node.trigger("flaky");
    tickUntil(
        () ->
            node.run("flaky", runId)
                .map(r -> r.tasks().get("t").state() == TaskState.RETRY_WAIT)
                .orElse(false));
    Run waiting = node.run("flaky", runId).orElseThrow();
    assertThat(waiting.tasks().get("t").nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(10));
    tickAt(clock.instant().plusSeconds(5));
    assertThat(ledger).hasSize(1);
    tickAt(clock.instant().plusSeconds(5));
    tickUntil(
        () ->
            node.run("flaky", runId)
                .map(
                    r ->
                        r.tasks().get("t").state() == TaskState.RETRY_WAIT
                            && r.tasks().get("t").attempts() == 2)
                .orElse(false));
    assertThat(node.run("flaky", runId).orElseThrow().tasks().get("t").nextAttemptAt())
        .isEqualTo(clock.instant().plusSeconds(20));
    tickAt(clock.instant().plusSeconds(20));
    Run done = awaitRun("flaky", runId, RunState.SUCCEEDED);
    assertThat(done.tasks().get("t").attempts()).isEqualTo(3);
    assertThat(metrics.counter(MetricNames.RETRIES).getCount()).isEqualTo(2);
  }

  /** G6: a handler that ignores interrupts is still recorded TIMED_OUT at its deadline. */
  @Test
  void aHungHandlerTimesOutEvenIfItIgnoresInterrupts() {
    release = new CountDownLatch(1);
    node.createJob(
        JobDefinition.builder("hung")
            .task(
                new TaskDefinition("t", "stubborn", null, null, null, null, Duration.ofSeconds(5)))
            .build());
    node.tickNow();
    String runId = node.trigger("hung");
    tickUntil(() -> ledger.size() == 1);
    tickAt(clock.instant().plusSeconds(6));
    Run run = awaitRun("hung", runId, RunState.FAILED);
    assertThat(run.tasks().get("t").state()).isEqualTo(TaskState.TIMED_OUT);
  }

  /** G6: cancel interrupts running tasks and cancels the rest; nothing waits on the run. */
  @Test
  void cancelStopsARunningRun() {
    release = new CountDownLatch(1);
    node.createJob(
        JobDefinition.builder("long").task("a", "block").task("b", "record", "a").build());
    node.tickNow();
    String runId = node.trigger("long");
    tickUntil(() -> ledger.size() == 1);
    node.cancel("long", runId);
    Run run = awaitRun("long", runId, RunState.CANCELLED);
    assertThat(run.tasks().get("a").state()).isEqualTo(TaskState.CANCELLED);
    assertThat(run.tasks().get("b").state()).isEqualTo(TaskState.CANCELLED);
    assertThat(metrics.getGauges().get(MetricNames.TASKS_RUNNING).getValue()).isEqualTo(0);
  }

  /**
   * The store has no index of runs in flight to count (layout 3): the gauge that reported it is the
   * leader's count of the runs it holds, every one of them, and 0 once the node no longer leads.
   */
  @Test
  void theStoresActiveRunGaugeIsTheLeadersCount() {
    release = new CountDownLatch(1);
    node.createJob(JobDefinition.builder("long").task("a", "block").build());
    node.tickNow();
    node.trigger("long");
    tickUntil(() -> ledger.size() == 1);
    node.tickNow();
    assertThat(metrics.getGauges().get(MetricNames.STORE_ACTIVE_RUNS).getValue()).isEqualTo(1L);

    leadership.revoke();
    node.tickNow();

    assertThat(metrics.getGauges().get(MetricNames.STORE_ACTIVE_RUNS).getValue()).isEqualTo(0L);
  }

  @Test
  void forbidRecordsASkippedRunWhileOneIsActive() {
    release = new CountDownLatch(1);
    node.createJob(
        JobDefinition.builder("slow")
            .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
            .concurrencyPolicy(ConcurrencyPolicy.FORBID)
            .task("t", "block")
            .build());
    node.tickNow();
    tickAt(T0.plusSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.size() == 1);
    tickAt(T0.plusSeconds(120));
    Run skipped = awaitRun("slow", id(T0.plusSeconds(120)), RunState.SKIPPED);
    assertThat(skipped.tasks().values()).allMatch(t -> t.state() == TaskState.SKIPPED);
    assertThat(ledger).hasSize(1);
  }

  @Test
  void replaceCancelsTheActiveRunFirst() {
    release = new CountDownLatch(1);
    node.createJob(
        JobDefinition.builder("fresh")
            .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
            .concurrencyPolicy(ConcurrencyPolicy.REPLACE)
            .task("t", "block")
            .build());
    node.tickNow();
    tickAt(T0.plusSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.size() == 1);
    tickAt(T0.plusSeconds(120));
    awaitRun("fresh", id(T0.plusSeconds(60)), RunState.CANCELLED);
    tickUntil(() -> ledger.size() == 2);
    assertThat(node.run("fresh", id(T0.plusSeconds(120))).orElseThrow().state())
        .isEqualTo(RunState.RUNNING);
  }

  /** G3: fires missed while nobody led follow the misfire policy and are counted. */
  @Test
  void missedFiresFollowTheMisfirePolicy() {
    node.createJob(everyMinute("once", "record"));
    node.createJob(
        JobDefinition.builder("skip")
            .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
            .misfirePolicy(MisfirePolicy.SKIP)
            .task("t", "record")
            .build());
    node.createJob(
        JobDefinition.builder("catchup")
            .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
            .misfirePolicy(MisfirePolicy.CATCH_UP)
            .catchUpLimit(3)
            .task("t", "record")
            .build());
    node.tickNow();
    leadership.revoke();
    tickAt(T0.plus(Duration.ofMinutes(10)).plusSeconds(40));
    leadership.grant();
    node.tickNow();
    // Due: 14:01 … 14:10; all older than the 30 s threshold.
    tickUntil(() -> node.runs("once", 20).size() == 1 && node.runs("catchup", 20).size() == 3);
    assertThat(node.runs("once", 20))
        .extracting(Run::id)
        .containsExactly(id(T0.plus(Duration.ofMinutes(10))));
    assertThat(node.runs("once", 20).get(0).trigger()).isEqualTo(RunTrigger.CATCH_UP);
    assertThat(node.runs("skip", 20)).isEmpty();
    assertThat(node.runs("catchup", 20))
        .extracting(Run::nominalTime)
        .containsExactly(
            T0.plus(Duration.ofMinutes(10)),
            T0.plus(Duration.ofMinutes(9)),
            T0.plus(Duration.ofMinutes(8)));
    assertThat(metrics.counter(MetricNames.MISFIRES_SKIPPED).getCount()).isEqualTo(9 + 10 + 7);
    assertThat(node.status("skip").nextFireTime()).isEqualTo(T0.plus(Duration.ofMinutes(11)));
  }

  /** G2: a run that exists is never created or executed twice; the duplicate is counted. */
  @Test
  void backfillOverFiredInstantsPreventsDuplicates() {
    node.createJob(everyMinute("j", "record"));
    node.tickNow();
    tickAt(T0.plusSeconds(60));
    awaitRun("j", id(T0.plusSeconds(60)), RunState.SUCCEEDED);
    tickAt(T0.plusSeconds(120));
    awaitRun("j", id(T0.plusSeconds(120)), RunState.SUCCEEDED);
    List<String> ids = node.backfill("j", T0.plusSeconds(60), T0.plusSeconds(180));
    assertThat(ids).containsExactly(id(T0.plusSeconds(60)), id(T0.plusSeconds(120)));
    await().until(() -> metrics.counter(MetricNames.DUPLICATES_PREVENTED).getCount() == 2);
    node.tickNow();
    assertThat(ledger)
        .containsExactly(
            "j/" + id(T0.plusSeconds(60)) + "/t#1", "j/" + id(T0.plusSeconds(120)) + "/t#1");
  }

  /**
   * A fire time that has passed by the clock but that the leader has not fired yet (a tick away, or
   * during a failover) is refused too: its backfill run would take the scheduled run's id.
   */
  @Test
  void aBackfillOfAFireTimeDueButNotFiredYetIsRefused() {
    node.createJob(everyMinute("j", "record"));
    tickUntil(() -> store.scheduleState("j").isPresent());
    clock.set(T0.plusSeconds(90));

    assertThatThrownBy(() -> node.backfill("j", T0, T0.plusSeconds(61)))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.getMessage()).contains(T0.plusSeconds(60).toString()));

    node.tickNow();
    awaitRun("j", id(T0.plusSeconds(60)), RunState.SUCCEEDED);
    assertThat(node.runs("j", 10)).extracting(Run::trigger).containsExactly(RunTrigger.SCHEDULE);
  }

  /**
   * A backfill runs past fire times only: one reaching a fire time still to come is refused on
   * {@code to} and requests nothing. It used to run the future instants at once, and the real fires
   * were then counted as duplicates and never ran on time.
   */
  @Test
  void aBackfillReachingPastNowIsRefusedAndRequestsNothing() {
    node.createJob(everyMinute("j", "record"));
    node.tickNow();
    tickAt(T0.plusSeconds(60));
    awaitRun("j", id(T0.plusSeconds(60)), RunState.SUCCEEDED);

    assertThatThrownBy(() -> node.backfill("j", T0.minusSeconds(180), T0.plusSeconds(240)))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> {
              assertThat(e.errors()).extracting(FieldError::field).containsExactly("to");
              assertThat(e.getMessage()).contains(T0.plusSeconds(120).toString());
            });

    assertThat(store.pendingRequests()).isEmpty();
    tickAt(T0.plusSeconds(61));
    assertThat(node.runs("j", 10)).hasSize(1);
    assertThat(node.backfill("j", T0.minusSeconds(180), T0.plusSeconds(61)))
        .isNotEmpty()
        .doesNotContain(id(T0.plusSeconds(120)));
  }

  /**
   * G2 when fires go out as several multis at once: the multi holding a run that already exists is
   * redone without it, the others commit, and the existing run is never executed.
   */
  @Test
  void aDuplicateAmongMultisSentTogetherIsCountedAndNeverRun() {
    node.close();
    node =
        (SchedulerNode)
            Scheduler.builder()
                .memberId("node-1")
                .store(store)
                .leadership(leadership)
                .clock(clock)
                .metrics(metrics)
                .settings(
                    EngineSettings.DEFAULT
                        .withTickInterval(Duration.ofSeconds(10))
                        .withMaxFiresPerCommit(1))
                .handler("record", this::record)
                .build();
    node.start();
    for (String job : List.of("a", "b", "c")) {
      node.createJob(everyMinute(job, "record"));
    }
    node.tickNow();
    String runId = id(T0.plusSeconds(60));
    // The previous leader fired b and died before recording its schedule progress.
    Run earlier =
        new Run(
            runId,
            "b",
            T0.plusSeconds(60),
            RunTrigger.SCHEDULE,
            RunState.SUCCEEDED,
            T0.plusSeconds(60),
            T0.plusSeconds(60),
            T0.plusSeconds(61),
            0,
            java.util.Map.of());
    store.commit(
        leadership.currentTerm().orElseThrow(),
        List.of(new dev.zkscheduler.store.StoreOp.CreateRun(earlier)));

    tickAt(T0.plusSeconds(60));
    awaitRun("a", runId, RunState.SUCCEEDED);
    awaitRun("c", runId, RunState.SUCCEEDED);

    assertThat(ledger).containsExactlyInAnyOrder("a/" + runId + "/t#1", "c/" + runId + "/t#1");
    assertThat(metrics.counter(MetricNames.DUPLICATES_PREVENTED).getCount()).isEqualTo(1);
    assertThat(node.status("b").nextFireTime()).isEqualTo(T0.plusSeconds(120));
  }

  /**
   * A new term takes over an attempt in flight on a live worker: it is neither counted lost nor
   * offered again, and its outcome is recorded by the new term. Leader changes used to cost every
   * attempt in flight (re-offered, so called twice under a retry policy).
   */
  @Test
  void aNewTermTakesOverAttemptsInFlightWithoutOfferingThemAgain() {
    release = new CountDownLatch(1);
    RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.0);
    node.createJob(JobDefinition.builder("j").retry(retry).task("t", "block").build());
    node.tickNow();
    String runId = node.trigger("j");
    tickUntil(() -> ledger.size() == 1);
    store.newTerm("node-2", T0); // another node led in between
    leadership.grant();
    node.tickNow();
    assertThat(node.run("j", runId).orElseThrow().tasks().get("t").state())
        .isEqualTo(TaskState.RUNNING);
    release.countDown();
    Run done = awaitRun("j", runId, RunState.SUCCEEDED);
    assertThat(done.tasks().get("t").attempts()).isEqualTo(1);
    assertThat(ledger).hasSize(1);
    assertThat(metrics.counter(MetricNames.ATTEMPTS_LOST).getCount()).isZero();
  }

  @Test
  void retentionKeepsTheNewestTerminalRuns() {
    node.close();
    node =
        (SchedulerNode)
            Scheduler.builder()
                .memberId("node-1")
                .store(store)
                .leadership(leadership)
                .clock(clock)
                .metrics(new MetricRegistry())
                .settings(
                    EngineSettings.DEFAULT
                        .withTickInterval(Duration.ofSeconds(10))
                        .withRetainedRuns(3))
                .handler("record", this::record)
                .build();
    node.start();
    node.createJob(everyMinute("j", "record"));
    node.tickNow();
    for (int i = 1; i <= 6; i++) {
      tickAt(T0.plusSeconds(60L * i));
      awaitRun("j", id(T0.plusSeconds(60L * i)), RunState.SUCCEEDED);
    }
    for (int i = 0; i < 200; i++) {
      node.tickNow();
    }
    assertThat(node.runs("j", 10))
        .extracting(Run::nominalTime)
        .containsExactly(T0.plusSeconds(360), T0.plusSeconds(300), T0.plusSeconds(240));
  }

  @Test
  void deletingAJobCancelsItsRunsAndRemovesItsRecords() {
    release = new CountDownLatch(1);
    node.createJob(JobDefinition.builder("gone").task("t", "block").build());
    node.tickNow();
    String runId = node.trigger("gone");
    tickUntil(() -> ledger.size() == 1);
    assertThat(node.deleteJob("gone", OptionalInt.empty())).isTrue();
    node.tickNow();
    assertThat(store.run("gone", runId)).isEmpty();
    assertThat(store.scheduleState("gone")).isEmpty();
    assertThat(store.activeRuns()).isEmpty();
  }

  /**
   * docs/design.md, G3: a restart keeps the interval's grid; the cadence never re-anchors to boot.
   */
  @Test
  void aRestartKeepsTheAnchorGrid() {
    node.createJob(
        JobDefinition.builder("daily")
            .schedule(Schedule.interval(Duration.ofHours(24), T0))
            .task("t", "record")
            .build());
    node.tickNow();
    tickAt(T0.plus(Duration.ofHours(24)));
    awaitRun("daily", id(T0.plus(Duration.ofHours(24))), RunState.SUCCEEDED);
    node.close();
    clock.set(T0.plus(Duration.ofHours(30)));
    node = newNode();
    node.start();
    node.tickNow();
    assertThat(node.status("daily").nextFireTime()).isEqualTo(T0.plus(Duration.ofHours(48)));
    tickAt(T0.plus(Duration.ofHours(48)));
    awaitRun("daily", id(T0.plus(Duration.ofHours(48))), RunState.SUCCEEDED);
  }

  @Test
  void pauseStopsFiresAndResumeAppliesTheMisfirePolicy() {
    node.createJob(everyMinute("p", "record"));
    node.tickNow();
    node.pause("p");
    node.tickNow();
    tickAt(T0.plus(Duration.ofMinutes(5)).plusSeconds(40));
    assertThat(node.runs("p", 10)).isEmpty();
    assertThat(node.status("p").paused()).isTrue();
    node.resume("p");
    node.tickNow();
    tickUntil(() -> node.runs("p", 10).size() == 1);
    assertThat(node.runs("p", 10).get(0).nominalTime()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
  }

  // ---- a run keeps the DAG it was created with ----

  private static JobDefinition dag(String id, TaskDefinition... tasks) {
    return JobDefinition.builder(id).tasks(List.of(tasks)).build();
  }

  private static TaskDefinition task(String id, String type, String... dependsOn) {
    return new TaskDefinition(id, type, null, List.of(dependsOn), null, null, null);
  }

  /**
   * Creates {@code before}, starts a manual run whose task {@code a} blocks, replaces the job with
   * {@code after} while {@code a} runs, and ticks over the edit: the run id.
   */
  private String editWhileActive(JobDefinition before, JobDefinition after) {
    release = new CountDownLatch(1);
    node.createJob(before);
    node.tickNow();
    String runId = node.trigger(before.id());
    tickUntil(() -> ledger.contains(before.id() + "/" + runId + "/a#1"));
    node.putJob(after, OptionalInt.empty());
    node.tickNow();
    node.tickNow();
    return runId;
  }

  /** Tasks the handlers ran for one run, in order. */
  private List<String> ranIn(String jobId, String runId) {
    String prefix = jobId + "/" + runId + "/";
    return ledger.stream()
        .filter(e -> e.startsWith(prefix))
        .map(e -> e.substring(prefix.length()))
        .toList();
  }

  /** The run after the edit, triggered by hand once the active one ended. */
  private Run nextRun(String jobId) {
    return awaitRun(jobId, node.trigger(jobId), RunState.SUCCEEDED);
  }

  @Test
  void aTaskAddedWhileARunIsActiveJoinsOnlyTheNextRun() {
    String runId =
        editWhileActive(
            dag("d", task("a", "block"), task("b", "record", "a")),
            dag("d", task("a", "block"), task("b", "record", "a"), task("c", "record", "b")));
    release.countDown();

    Run active = awaitRun("d", runId, RunState.SUCCEEDED);
    assertThat(active.tasks()).containsOnlyKeys("a", "b");
    assertThat(ranIn("d", runId)).containsExactly("a#1", "b#1");

    Run next = nextRun("d");
    assertThat(next.tasks()).containsOnlyKeys("a", "b", "c");
    assertThat(ranIn("d", next.id())).containsExactly("a#1", "b#1", "c#1");
  }

  @Test
  void aTaskRemovedBeforeItStartedStillRunsInTheActiveRun() {
    String runId =
        editWhileActive(
            dag("d", task("a", "block"), task("b", "record", "a")), dag("d", task("a", "block")));
    release.countDown();

    Run active = awaitRun("d", runId, RunState.SUCCEEDED);
    assertThat(ranIn("d", runId)).containsExactly("a#1", "b#1");
    assertThat(active.tasks().get("b").state()).isEqualTo(TaskState.SUCCEEDED);

    Run next = nextRun("d");
    assertThat(next.tasks()).containsOnlyKeys("a");
    assertThat(ranIn("d", next.id())).containsExactly("a#1");
  }

  @Test
  void aRunningTaskRemovedFromTheJobStillGatesItsDownstreamInTheActiveRun() {
    String runId =
        editWhileActive(
            dag("d", task("a", "block"), task("b", "record", "a")), dag("d", task("b", "record")));
    assertThat(node.run("d", runId).orElseThrow().tasks().get("b").state())
        .as("b still waits for a")
        .isEqualTo(TaskState.PENDING);
    release.countDown();

    Run active = awaitRun("d", runId, RunState.SUCCEEDED);
    assertThat(ranIn("d", runId)).containsExactly("a#1", "b#1");
    assertThat(active.tasks().get("b").startedAt())
        .isAfterOrEqualTo(active.tasks().get("a").finishedAt());

    Run next = nextRun("d");
    assertThat(next.tasks()).containsOnlyKeys("b");
  }

  @Test
  void changedDependenciesApplyOnlyToTheNextRun() {
    String runId =
        editWhileActive(
            dag("d", task("a", "block"), task("b", "record"), task("c", "record", "a")),
            dag("d", task("a", "block"), task("b", "record"), task("c", "record", "b")));
    tickUntil(() -> ranIn("d", runId).contains("b#1"));
    node.tickNow();
    assertThat(node.run("d", runId).orElseThrow().tasks().get("c").state())
        .as("c still waits for a, not b")
        .isEqualTo(TaskState.PENDING);
    release.countDown();

    Run active = awaitRun("d", runId, RunState.SUCCEEDED);
    assertThat(active.tasks().get("c").startedAt())
        .isAfterOrEqualTo(active.tasks().get("a").finishedAt());
    assertThat(active.dag().tasks().get("c").dependsOn()).containsExactly("a");

    Run next = nextRun("d");
    assertThat(next.dag().tasks().get("c").dependsOn()).containsExactly("b");
    assertThat(next.tasks().get("c").startedAt())
        .isAfterOrEqualTo(next.tasks().get("b").finishedAt());
  }

  /**
   * The new leader takes over a run whose running task the job no longer has: the attempt in flight
   * goes on, and the run ends on its own DAG.
   */
  @Test
  void aNewLeaderAdoptsARunWhoseJobChanged() {
    RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.0);
    JobDefinition before =
        JobDefinition.builder("d").retry(retry).task("a", "block").task("b", "record", "a").build();
    String runId = editWhileActive(before, dag("d", task("c", "record")));
    node.createJob(everyMinute("other", "record"));
    node.tickNow();

    store.newTerm("node-2", T0);
    leadership.grant();
    tickAt(T0.plusSeconds(60));
    awaitRun("other", id(T0.plusSeconds(60)), RunState.SUCCEEDED);
    release.countDown();

    Run adopted = awaitRun("d", runId, RunState.SUCCEEDED);
    assertThat(adopted.tasks()).containsOnlyKeys("a", "b");
    assertThat(adopted.tasks().get("a").attempts()).isEqualTo(1);
    assertThat(ranIn("d", runId)).containsExactly("a#1", "b#1");
  }

  /**
   * A run that cannot be driven (stored without its DAG, before runs kept it, and its job no longer
   * has its tasks) fails alone: on the very tick that takes it over, another job still fires.
   */
  @Test
  void aRunThatCannotBeDrivenFailsAloneWhileOtherJobsFire() {
    node.createJob(dag("d", task("t", "record")));
    node.createJob(everyMinute("other", "record"));
    node.tickNow();
    java.util.Map<String, dev.zkscheduler.dag.TaskRun> tasks = new java.util.LinkedHashMap<>();
    tasks.put(
        "x", new dev.zkscheduler.dag.TaskRun(TaskState.RUNNING, 1, T0, null, null, "node-0", null));
    Run legacy =
        new Run(
            RunIds.manual(T0),
            "d",
            T0,
            RunTrigger.MANUAL,
            RunState.RUNNING,
            T0,
            T0,
            null,
            0,
            tasks);
    store.commit(
        leadership.currentTerm().orElseThrow(),
        List.of(
            new dev.zkscheduler.store.StoreOp.CreateRun(legacy),
            new dev.zkscheduler.store.StoreOp.PutScheduleState(
                new dev.zkscheduler.store.ScheduleState(
                    "d", null, null, 0, 0L, List.of(legacy.id())),
                dev.zkscheduler.store.StoreOp.CREATE)));

    leadership.grant();
    tickAt(T0.plusSeconds(60));

    Run failed = node.run("d", legacy.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(RunState.FAILED);
    assertThat(failed.tasks().get("x").error()).contains("without its DAG").contains("[t]");
    assertThat(metrics.counter(MetricNames.RUNS_FAILED_ALONE).getCount()).isEqualTo(1);
    assertThat(node.run("other", id(T0.plusSeconds(60)))).as("fired on the same tick").isPresent();
    awaitRun("other", id(T0.plusSeconds(60)), RunState.SUCCEEDED);
    assertThat(nextRun("d").tasks()).containsOnlyKeys("t");
  }
}
