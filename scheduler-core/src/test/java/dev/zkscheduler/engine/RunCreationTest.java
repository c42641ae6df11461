package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunCreationTest {

  private static final Instant T0 = TermFixture.T0;
  private static final String FIRST = RunIds.scheduled(T0.plusSeconds(60));

  private TermFixture f = new TermFixture();
  private RunCreation creation = new RunCreation(f.state, f.attempts);

  @AfterEach
  void close() {
    f.close();
  }

  private static JobDefinition everyMinute(String id, ConcurrencyPolicy policy) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .concurrencyPolicy(policy)
        .task("t", "block")
        .build();
  }

  /** An every-minute job whose one task carries {@code payload} in its config (and in its runs). */
  private static JobDefinition carrying(String id, String payload) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .task(
            new dev.zkscheduler.job.TaskDefinition(
                "t", "block", Map.of("payload", payload), List.of(), null, null, null))
        .build();
  }

  /** A fixture whose store takes commits of at most 16 KiB (records of at most 8 KiB). */
  private void smallCommits() {
    f.close();
    f =
        new TermFixture(
            EngineSettings.DEFAULT, new dev.zkscheduler.store.StoreLimits(8192, 16384, 100));
    creation = new RunCreation(f.state, f.attempts);
  }

  /**
   * Runs carry their DAG, so 20 fires of jobs with a 1.5 KB config are over the commit budget in
   * one multi: they are written in parts, every run exists and every first task starts. The whole
   * tick used to fail, every tick.
   */
  @Test
  void firesOverTheCommitBudgetAreWrittenInPartsAndAllStart() {
    smallCommits();
    String payload = "x".repeat(1500);
    JobDefinition[] jobs = new JobDefinition[20];
    for (int i = 0; i < jobs.length; i++) {
      jobs[i] = carrying("j" + i, payload);
    }
    f.load(jobs);
    f.clock.advance(Duration.ofMinutes(1));

    creation.fireDue();

    for (int i = 0; i < jobs.length; i++) {
      assertThat(f.memory.run("j" + i, FIRST)).as("run of j" + i).isPresent();
      assertThat(f.runner.isRunning(TermFixture.key("j" + i, FIRST, "t", 1))).isTrue();
    }
    assertThat(
            f.store.committed().stream()
                .filter(ops -> ops.stream().anyMatch(StoreOp.CreateRun.class::isInstance)))
        .hasSizeGreaterThan(1);
    assertThat(f.registry.counter(MetricNames.JOBS_FAILED_ALONE).getCount()).isZero();

    // Their updates are over the budget together as well: they are written in smaller multis.
    for (int i = 0; i < jobs.length; i++) {
      JobEntry entry = f.state.jobs().get("j" + i);
      f.state.cancel(entry, f.state.active().get("j" + i, FIRST), "test");
    }
    f.state.flush();
    for (int i = 0; i < jobs.length; i++) {
      assertThat(f.stored("j" + i, FIRST).state()).isEqualTo(RunState.CANCELLED);
    }
  }

  /** A run too large to store at all fails its job alone; the other jobs fire. */
  @Test
  void aRunTooLargeToStoreFailsItsJobAloneAndTheOthersFire() {
    smallCommits();
    f.load(carrying("huge", "x".repeat(9000)), carrying("fine", "y"));
    f.clock.advance(Duration.ofMinutes(1));

    creation.fireDue();

    assertThat(f.memory.run("fine", FIRST)).isPresent();
    assertThat(f.memory.run("huge", FIRST)).isEmpty();
    assertThat(f.registry.counter(MetricNames.JOBS_FAILED_ALONE).getCount()).isEqualTo(1);
  }

  private static boolean creates(StoreOp op, String runId) {
    return op instanceof StoreOp.CreateRun c && c.run().id().equals(runId);
  }

  /** One write creates the run with its task started and moves the job's progress on. */
  @Test
  void aDueFireIsOneWriteAndItsHandlerStartsOnce() {
    f.load(everyMinute("j", ConcurrencyPolicy.ALLOW));
    int before = f.store.committed().size();
    f.clock.set(T0.plusSeconds(60));

    creation.fireDue();
    creation.fireDue();

    List<List<StoreOp>> writes = f.store.committed();
    assertThat(writes).hasSize(before + 1);
    assertThat(writes.get(before))
        .anyMatch(op -> creates(op, FIRST))
        .anyMatch(StoreOp.PutScheduleState.class::isInstance);
    Versioned<Run> stored = f.memory.run("j", FIRST).orElseThrow();
    assertThat(stored.version()).isZero();
    assertThat(stored.value().trigger()).isEqualTo(RunTrigger.SCHEDULE);
    assertThat(stored.value().tasks().get("t").state()).isEqualTo(TaskState.RUNNING);
    ScheduleState progress = f.memory.scheduleState("j").orElseThrow().value();
    assertThat(progress.lastNominalFire()).isEqualTo(T0.plusSeconds(60));
    assertThat(progress.nextFire()).isEqualTo(T0.plusSeconds(120));
    assertThat(f.runner.running()).isEqualTo(1);
    assertThat(f.state.active().count()).isEqualTo(1);
    assertThat(f.registry.meter(MetricNames.FIRES).getCount()).isEqualTo(1);
  }

  /** Rule 2 in firing: the replaced run is cancelled in a write before the new run's. */
  @Test
  void replaceWritesTheCancellationBeforeCreatingTheNewRun() {
    JobEntry job = f.load(everyMinute("j", ConcurrencyPolicy.REPLACE)).get(0);
    f.startedRun(job, "old");
    f.clock.set(T0.plusSeconds(60));

    creation.fireDue();

    int cancelled =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.UpdateRun u && u.run().id().equals("old"));
    int created = f.store.firstCommitWith(op -> creates(op, FIRST));
    assertThat(cancelled).isNotNegative().isLessThan(created);
    assertThat(f.stored("j", "old").state()).isEqualTo(RunState.CANCELLED);
    assertThat(f.runner.isRunning(TermFixture.key("j", "old", "t", 1))).isFalse();
    assertThat(f.runner.isRunning(TermFixture.key("j", FIRST, "t", 1))).isTrue();
  }

  @Test
  void forbidRecordsASkippedRunAndStartsNothing() {
    JobEntry job = f.load(everyMinute("j", ConcurrencyPolicy.FORBID)).get(0);
    f.startedRun(job, "old");
    f.clock.set(T0.plusSeconds(60));

    creation.fireDue();

    assertThat(f.stored("j", FIRST).state()).isEqualTo(RunState.SKIPPED);
    assertThat(f.stored("j", "old").state()).isEqualTo(RunState.RUNNING);
    assertThat(f.runner.running()).isEqualTo(1);
    assertThat(f.state.active().count()).isEqualTo(1);
  }

  /** A run a previous leader already created is counted, never run, and the others commit. */
  @Test
  void aDuplicateAmongFiresSentTogetherIsCountedAndNeverStarted() {
    f.close();
    f = new TermFixture(EngineSettings.DEFAULT.withMaxFiresPerCommit(1));
    creation = new RunCreation(f.state, f.attempts);
    f.load(
        everyMinute("a", ConcurrencyPolicy.ALLOW),
        everyMinute("b", ConcurrencyPolicy.ALLOW),
        everyMinute("c", ConcurrencyPolicy.ALLOW));
    Run earlier =
        new Run(
            FIRST,
            "b",
            T0.plusSeconds(60),
            RunTrigger.SCHEDULE,
            RunState.SUCCEEDED,
            T0.plusSeconds(60),
            T0.plusSeconds(60),
            T0.plusSeconds(61),
            0,
            Map.of());
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(earlier)));
    f.clock.set(T0.plusSeconds(60));

    creation.fireDue();

    assertThat(f.registry.counter(MetricNames.DUPLICATES_PREVENTED).getCount()).isEqualTo(1);
    assertThat(f.stored("b", FIRST)).isEqualTo(earlier);
    assertThat(f.runner.isRunning(TermFixture.key("a", FIRST, "t", 1))).isTrue();
    assertThat(f.runner.isRunning(TermFixture.key("c", FIRST, "t", 1))).isTrue();
    assertThat(f.runner.isRunning(TermFixture.key("b", FIRST, "t", 1))).isFalse();
    assertThat(f.runner.running()).isEqualTo(2);
    assertThat(f.memory.scheduleState("b").orElseThrow().value().nextFire())
        .isEqualTo(T0.plusSeconds(120));
  }

  /** Rule 1 in firing: a refused creation starts no handler. */
  @Test
  void aRefusedCreationStartsNothing() {
    f.load(everyMinute("j", ConcurrencyPolicy.ALLOW));
    f.store.refuse(ops -> ops.stream().anyMatch(StoreOp.CreateRun.class::isInstance));
    f.clock.set(T0.plusSeconds(60));

    org.assertj.core.api.Assertions.assertThatThrownBy(creation::fireDue)
        .isInstanceOf(TermWork.StaleViewException.class);

    assertThat(f.runner.running()).isZero();
    assertThat(f.memory.run("j", FIRST)).isEmpty();
    assertThat(f.memory.assignments()).isEmpty();
  }

  /**
   * A job at the cap of runs in flight: its scheduled fire is recorded SKIPPED with the reason,
   * nothing starts, and the job keeps firing. Its list would otherwise grow until the record is
   * refused for size.
   */
  @Test
  void aScheduledFireOfAJobAtTheInFlightCapIsRecordedSkippedWithTheReason() {
    JobEntry entry = f.load(everyMinute("j", ConcurrencyPolicy.ALLOW)).get(0);
    f.listInFlight(entry, "waiting", InFlightLists.MAX_RUNS_IN_FLIGHT);
    f.clock.advance(Duration.ofMinutes(1));

    creation.fireDue();

    Run run = f.stored("j", FIRST);
    assertThat(run.state()).isEqualTo(RunState.SKIPPED);
    assertThat(run.tasks().get("t").error()).contains("runs in flight").contains("1000");
    assertThat(f.runner.isRunning(TermFixture.key("j", FIRST, "t", 1))).isFalse();
    assertThat(f.registry.counter(MetricNames.RUNS_OVER_INFLIGHT_CAP).getCount()).isEqualTo(1);
    assertThat(f.memory.scheduleState("j").orElseThrow().value().activeRunIds())
        .hasSize(InFlightLists.MAX_RUNS_IN_FLIGHT);
    assertThat(f.state.planner().due(T0.plusSeconds(120), f.state.jobs()))
        .extracting(due -> due.entry().job.id())
        .containsExactly("j");
  }

  /** One run below the cap, the fire runs as usual. */
  @Test
  void aScheduledFireBelowTheInFlightCapRuns() {
    JobEntry entry = f.load(everyMinute("j", ConcurrencyPolicy.ALLOW)).get(0);
    f.listInFlight(entry, "waiting", InFlightLists.MAX_RUNS_IN_FLIGHT - 1);
    f.clock.advance(Duration.ofMinutes(1));

    creation.fireDue();

    assertThat(f.stored("j", FIRST).state()).isEqualTo(RunState.RUNNING);
    assertThat(f.memory.scheduleState("j").orElseThrow().value().activeRunIds())
        .hasSize(InFlightLists.MAX_RUNS_IN_FLIGHT);
  }

  /**
   * A run too large to store is not created, but the job's progress moves past the fire and the job
   * stays in the fire plan: it used to be out of it for the rest of the term.
   */
  @Test
  void aRunTooLargeToStoreLeavesItsJobInTheFirePlan() {
    smallCommits();
    f.load(carrying("huge", "x".repeat(9000)));
    f.clock.advance(Duration.ofMinutes(1));

    creation.fireDue();

    assertThat(f.memory.run("huge", FIRST)).isEmpty();
    assertThat(f.memory.scheduleState("huge").orElseThrow().value().lastNominalFire())
        .isEqualTo(T0.plusSeconds(60));
    assertThat(f.state.planner().due(T0.plusSeconds(120), f.state.jobs()))
        .extracting(due -> due.entry().job.id())
        .containsExactly("huge");
  }

  /**
   * More due than a tick may write: the tick fires the oldest {@code maxFiresPerTick} (counted as a
   * saturated tick) and the next tick the rest; every fire is written once.
   */
  @Test
  void aTickFiresAtMostItsShareOldestFirstAndTheNextTickTheRest() {
    int cap = EngineSettings.DEFAULT.maxFiresPerTick();
    List<JobDefinition> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < cap + 300; i++) {
      jobs.add(
          JobDefinition.builder(String.format(java.util.Locale.ROOT, "j%05d", i))
              .schedule(Schedule.interval(Duration.ofHours(1), T0.plusSeconds(1).plusMillis(i)))
              .task("t", "record")
              .build());
    }
    f.load(jobs.toArray(JobDefinition[]::new));
    f.clock.set(T0.plusSeconds(10)); // each job has one fire due, job i's at T0 + 1 s + i ms

    assertThat(creation.fireDue()).as("fires left for the next tick").isTrue();

    long created = createdRuns();
    assertThat(created).isEqualTo(cap);
    assertThat(f.memory.runIds(String.format(java.util.Locale.ROOT, "j%05d", cap - 1))).hasSize(1);
    assertThat(f.memory.runIds(String.format(java.util.Locale.ROOT, "j%05d", cap))).isEmpty();
    assertThat(f.registry.counter(MetricNames.TICKS_SATURATED).getCount()).isEqualTo(1);

    assertThat(creation.fireDue()).isFalse();

    assertThat(createdRuns()).isEqualTo(cap + 300);
    assertThat(f.registry.counter(MetricNames.TICKS_SATURATED).getCount()).isEqualTo(1);
  }

  private long createdRuns() {
    return f.store.committed().stream()
        .flatMap(List::stream)
        .filter(StoreOp.CreateRun.class::isInstance)
        .count();
  }
}
