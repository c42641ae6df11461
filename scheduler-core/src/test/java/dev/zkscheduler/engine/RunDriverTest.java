package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunDriverTest {

  private TermFixture f = new TermFixture();
  private RunDriver driver = new RunDriver(f.state, f.attempts);

  @AfterEach
  void close() {
    f.close();
  }

  private static JobDefinition extractThenLoad() {
    return JobDefinition.builder("etl")
        .task("extract", "block")
        .task("load", "block", "extract")
        .build();
  }

  private static JobDefinition tenSecondJob() {
    return JobDefinition.builder("j").timeout(Duration.ofSeconds(10)).task("t", "block").build();
  }

  /** A run whose first task succeeded (written by this term), held as active. */
  private Versioned<Run> upstreamDone(JobEntry job) {
    Instant now = f.clock.instant();
    Run run = job.progress.newRun("r", "etl", now, RunTrigger.MANUAL, now, 1);
    run = job.progress.taskStarted(run, "extract", now, "node-1");
    run = job.progress.taskSucceeded(run, "extract", now);
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(run)));
    Versioned<Run> versioned = new Versioned<>(run, 0);
    f.state.active().put(versioned);
    return versioned;
  }

  @Test
  void aTaskWhoseUpstreamSucceededIsStartedOnceItsStartIsWritten() {
    JobEntry job = f.load(extractThenLoad()).get(0);
    upstreamDone(job);

    driver.drive(true);
    driver.drive(true);

    Versioned<Run> stored = f.memory.run("etl", "r").orElseThrow();
    assertThat(stored.version()).as("one write for the start").isEqualTo(1);
    TaskRun load = stored.value().tasks().get("load");
    assertThat(load.state()).isEqualTo(TaskState.RUNNING);
    assertThat(load.attempts()).isEqualTo(1);
    assertThat(f.runner.isRunning(TermFixture.key("etl", "r", "load", 1))).isTrue();
    assertThat(f.runner.running()).isEqualTo(1);
  }

  /** Rule 1 in driving: a refused start never reaches its handler. */
  @Test
  void aRefusedStartIsNeverCalled() {
    JobEntry job = f.load(extractThenLoad()).get(0);
    upstreamDone(job);
    f.store.refuse(ops -> ops.stream().anyMatch(StoreOp.UpdateRun.class::isInstance));

    assertThatThrownBy(() -> driver.drive(true)).isInstanceOf(TermWork.StaleViewException.class);

    assertThat(f.runner.running()).isZero();
    assertThat(f.ledger).isEmpty();
    assertThat(f.stored("etl", "r").tasks().get("load").state()).isEqualTo(TaskState.PENDING);
  }

  /**
   * The attempt's deadline is the run's (the job timeout is shorter than the task's): the run timed
   * out, it did not fail. It used to settle FAILED because the attempt's timeout was recorded
   * first.
   */
  @Test
  void anAttemptStoppedAtTheRunsDeadlineTimesTheRunOut() {
    JobEntry job = f.load(tenSecondJob()).get(0);
    f.startedRun(job, "r");
    assertThat(f.runner.running()).isEqualTo(1);
    f.clock.advance(Duration.ofSeconds(10));

    driver.drive(true);

    Run stored = f.stored("j", "r");
    assertThat(stored.state()).isEqualTo(RunState.TIMED_OUT);
    assertThat(stored.tasks().get("t").state()).isEqualTo(TaskState.TIMED_OUT);
    assertThat(f.runner.running()).isZero();
    assertThat(f.state.active().count()).isZero();
  }

  /** The task's own timeout, well inside the run's: the task TIMED_OUT, the run FAILED. */
  @Test
  void anAttemptPastItsOwnTimeoutIsTimedOutAndTheRunFails() {
    JobEntry job =
        f.load(
                JobDefinition.builder("j")
                    .timeout(Duration.ofSeconds(60))
                    .task(
                        new dev.zkscheduler.job.TaskDefinition(
                            "t", "block", Map.of(), List.of(), null, null, Duration.ofSeconds(2)))
                    .build())
            .get(0);
    f.startedRun(job, "r");
    f.clock.advance(Duration.ofSeconds(2));

    f.attempts.recordOutcomes();
    driver.drive(true);

    Run stored = f.stored("j", "r");
    assertThat(stored.tasks().get("t").state()).isEqualTo(TaskState.TIMED_OUT);
    assertThat(f.runner.running()).as("taken back: the worker interrupted it").isZero();
    assertThat(stored.state()).isEqualTo(RunState.FAILED);
  }

  /** A handler's message of any length is cut to a bound: the run must still fit its budget. */
  @Test
  void aHandlersMessageIsBoundedBeforeItIsRecorded() {
    String huge = "e".repeat(100_000);
    assertThat(TaskRunner.bounded(huge))
        .hasSize(TaskRunner.MAX_ERROR_CHARS + " (98000 more characters)".length() + 3)
        .startsWith("eee")
        .endsWith("... (98000 more characters)");
    assertThat(TaskRunner.bounded("short")).isEqualTo("short");
  }

  /**
   * A new leader that could not load a job which still exists (unreadable, or failing to load)
   * drives its run by the DAG the run carries. It used to cancel the run as "job deleted".
   */
  @Test
  void adoptingARunOfAJobThatExistsButIsNotLoadedDrivesItByItsOwnDag() {
    JobEntry job = f.load(extractThenLoad()).get(0);
    Versioned<Run> run = upstreamDone(job);
    f.state.jobs().remove("etl");
    f.state.active().remove("etl", "r");

    driver.adopt(List.of(run), f.memory.assignments());
    f.state.flush();
    driver.drive(true);
    driver.drive(true);

    Run stored = f.stored("etl", "r");
    assertThat(stored.state()).isEqualTo(RunState.RUNNING);
    assertThat(stored.tasks().get("load").state()).isEqualTo(TaskState.RUNNING);
    assertThat(f.runner.isRunning(TermFixture.key("etl", "r", "load", 1))).isTrue();
  }

  /**
   * One run whose update outgrew the record budget (long errors on top of its DAG) ends FAILED
   * alone, its errors cut short; the other runs of the same flush are written. The whole flush used
   * to fail, every tick, and the outcomes it carried were lost.
   */
  @Test
  void anUpdateTooLargeToStoreFailsItsRunAloneAndTheOthersAreWritten() {
    f.close();
    f =
        new TermFixture(
            EngineSettings.DEFAULT, new dev.zkscheduler.store.StoreLimits(8192, 16384, 100));
    driver = new RunDriver(f.state, f.attempts);
    JobEntry big = f.load(JobDefinition.builder("big").task("t", "block").build()).get(0);
    JobEntry small = f.load(JobDefinition.builder("small").task("t", "block").build()).get(0);
    Versioned<Run> bigRun = f.startedRun(big, "r");
    Versioned<Run> smallRun = f.startedRun(small, "r");
    Instant now = f.clock.instant();
    f.state.stage(
        bigRun, big.progress.taskFailed(bigRun.value(), "t", now, "x".repeat(20_000), null));
    f.state.stage(smallRun, small.progress.taskSucceeded(smallRun.value(), "t", now));

    f.state.flush();

    assertThat(f.stored("small", "r").state()).isEqualTo(RunState.SUCCEEDED);
    Run stored = f.stored("big", "r");
    assertThat(stored.state()).isEqualTo(RunState.FAILED);
    assertThat(stored.tasks().get("t").error()).hasSizeLessThan(400).startsWith("xxx");
    assertThat(f.registry.counter(MetricNames.RUNS_FAILED_ALONE).getCount()).isEqualTo(1);
  }

  /** A handler stopped by its own limit reports it; the attempt is TIMED_OUT, not FAILED. */
  @Test
  void aHandlerThatReportsItTimedOutIsRecordedTimedOut() {
    JobEntry job = f.load(JobDefinition.builder("j").task("t", "gives-up").build()).get(0);
    f.startedRun(job, "r");
    await().until(() -> f.runner.running() == 0);

    f.attempts.recordOutcomes();
    f.state.flush();

    Run stored = f.stored("j", "r");
    assertThat(stored.tasks().get("t").state()).isEqualTo(TaskState.TIMED_OUT);
    assertThat(stored.tasks().get("t").error()).isEqualTo("its own limit ran out");
    assertThat(stored.state()).isEqualTo(RunState.FAILED);
  }

  /** A run waiting for a retry has no attempt in flight; its own deadline still ends it. */
  @Test
  void aRunPastItsDeadlineIsTimedOutEvenWithNoAttemptInFlight() {
    JobEntry job = f.load(tenSecondJob()).get(0);
    Instant now = f.clock.instant();
    Run run = job.progress.newRun("r", "j", now, RunTrigger.MANUAL, now, 1);
    run = job.progress.taskStarted(run, "t", now, "node-1");
    run = job.progress.taskFailed(run, "t", now, "failed", now.plusSeconds(3600));
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(run)));
    f.state.active().put(new Versioned<>(run, 0));
    f.clock.advance(Duration.ofSeconds(9));
    driver.drive(true);
    assertThat(f.stored("j", "r").state()).isEqualTo(RunState.RUNNING);
    f.clock.advance(Duration.ofSeconds(1));

    driver.drive(true);

    Run stored = f.stored("j", "r");
    assertThat(stored.state()).isEqualTo(RunState.TIMED_OUT);
    assertThat(stored.tasks().get("t").state()).isEqualTo(TaskState.CANCELLED);
    assertThat(f.runner.running()).isZero();
    assertThat(f.state.active().count()).isZero();
  }

  /** A new term: an attempt that was running under the previous leader is lost and re-offered. */
  @Test
  void adoptingCountsAnAttemptLostWithThePreviousLeaderAndPlansItsRetry() {
    RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(5), 2.0, Duration.ofMinutes(1), 0.0);
    JobEntry job =
        f.load(JobDefinition.builder("j").retry(retry).task("t", "block").build()).get(0);
    Instant now = f.clock.instant();
    Run left = job.progress.newRun("r", "j", now, RunTrigger.MANUAL, now, 0);
    left = job.progress.taskStarted(left, "t", now, "node-0");
    f.leftInFlight(left);

    driver.adopt(f.store.activeRuns(), f.memory.assignments());
    f.state.flush();

    TaskRun task = f.stored("j", "r").tasks().get("t");
    assertThat(task.state()).isEqualTo(TaskState.RETRY_WAIT);
    assertThat(task.error()).contains("lost");
    assertThat(task.nextAttemptAt()).isEqualTo(now.plusSeconds(5));
    assertThat(f.registry.counter(MetricNames.RETRIES).getCount()).isEqualTo(1);
    assertThat(f.state.active().count()).isEqualTo(1);
  }

  @Test
  void adoptingEndsARunWhoseJobIsGone() {
    JobEntry job = f.load(TermFixture.manualJob("gone")).get(0);
    Instant now = f.clock.instant();
    Run left = job.progress.newRun("r", "gone", now, RunTrigger.MANUAL, now, 0);
    f.leftInFlight(left);
    f.state.jobs().clear();
    f.memory.deleteJob("gone", java.util.OptionalInt.empty());

    driver.adopt(f.store.activeRuns(), f.memory.assignments());

    Run stored = f.stored("gone", "r");
    assertThat(stored.state()).isEqualTo(RunState.CANCELLED);
    assertThat(stored.tasks().values()).allMatch(t -> t.state() == TaskState.CANCELLED);
    assertThat(f.state.active().count()).isZero();
  }

  /** Replaces the job's definition as a tick's definition changes do. */
  private void edit(JobDefinition job, int version) {
    new DefinitionSync(f.state)
        .apply(List.of(new TermWork.DefinitionChange(job.id(), new Versioned<>(job, version))));
  }

  /** The job gained a task after its run began: the run is driven by the DAG it began with. */
  @Test
  void aRunIsDrivenByItsOwnDagAfterItsJobGainedATask() {
    JobEntry job = f.load(extractThenLoad()).get(0);
    upstreamDone(job);
    edit(
        JobDefinition.builder("etl")
            .task("extract", "block")
            .task("load", "block", "extract")
            .task("report", "block", "load")
            .build(),
        1);

    driver.drive(true);

    Run stored = f.stored("etl", "r");
    assertThat(stored.tasks()).containsOnlyKeys("extract", "load");
    assertThat(stored.tasks().get("load").state()).isEqualTo(TaskState.RUNNING);
    assertThat(f.runner.isRunning(TermFixture.key("etl", "r", "load", 1))).isTrue();
  }

  /**
   * One run that cannot be driven (stored without its DAG, its job's tasks since changed) is ended
   * FAILED, and the same drive still starts another run's ready task.
   */
  @Test
  void aRunThatCannotBeDrivenFailsAloneAndTheOthersAreDriven() {
    List<JobEntry> jobs = f.load(extractThenLoad(), TermFixture.manualJob("j"));
    upstreamDone(jobs.get(0));
    Instant now = f.clock.instant();
    Run legacy =
        new Run(
            "old",
            "j",
            now,
            RunTrigger.MANUAL,
            RunState.PENDING,
            now,
            null,
            null,
            1,
            Map.of("gone", TaskRun.pending()));
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(legacy)));
    f.state.active().put(new Versioned<>(legacy, 0));

    driver.drive(true);

    Run failed = f.stored("j", "old");
    assertThat(failed.state()).isEqualTo(RunState.FAILED);
    assertThat(failed.tasks().get("gone").state()).isEqualTo(TaskState.CANCELLED);
    assertThat(failed.tasks().get("gone").error())
        .contains("driving the run failed")
        .contains("without its DAG");
    assertThat(f.registry.counter(MetricNames.RUNS_FAILED_ALONE).getCount()).isEqualTo(1);
    assertThat(f.registry.counter(MetricNames.runsEnded(RunState.FAILED)).getCount()).isEqualTo(1);
    assertThat(f.stored("etl", "r").tasks().get("load").state()).isEqualTo(TaskState.RUNNING);
    assertThat(f.runner.isRunning(TermFixture.key("etl", "r", "load", 1))).isTrue();
  }

  /** A new term takes over a run whose running task its job no longer has, without throwing. */
  @Test
  void adoptingARunWhoseJobLostItsRunningTaskRetriesItByTheRunsOwnPolicy() {
    RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(5), 2.0, Duration.ofMinutes(1), 0.0);
    JobEntry job =
        f.load(JobDefinition.builder("j").retry(retry).task("t", "block").build()).get(0);
    Instant now = f.clock.instant();
    Run left = job.progress.newRun("r", "j", now, RunTrigger.MANUAL, now, 0);
    left = job.progress.taskStarted(left, "t", now, "node-0");
    f.leftInFlight(left);
    edit(JobDefinition.builder("j").task("u", "block").build(), 1);
    f.state.active().forgetJob("j");

    driver.adopt(f.store.activeRuns(), f.memory.assignments());
    f.state.flush();

    TaskRun task = f.stored("j", "r").tasks().get("t");
    assertThat(task.state()).isEqualTo(TaskState.RETRY_WAIT);
    assertThat(task.nextAttemptAt()).isEqualTo(now.plusSeconds(5));
    assertThat(f.registry.counter(MetricNames.RUNS_FAILED_ALONE).getCount()).isZero();
  }

  /**
   * Runs whose task found every slot taken start in the order they were queued as slots free, not
   * in the order the leader happens to hold its jobs: that order left some fires waiting seconds
   * behind later ones at saturation (a p99 fire lag of over a second in scheduler-bench).
   */
  @Test
  void queuedRunsStartOldestFirstAsSlotsFree() {
    JobEntry filler = f.load(TermFixture.manualJob("filler")).get(0);
    for (int i = 0; i < TermFixture.WORKER_SLOTS; i++) {
      f.startedRun(filler, "f" + i);
    }
    List<String> queued = List.of("job-q", "job-c", "job-x", "job-a", "job-m", "job-f", "job-k");
    for (String id : queued) {
      f.startedRun(f.load(TermFixture.manualJob(id)).get(0), "r");
    }
    assertThat(f.runner.running()).isEqualTo(TermFixture.WORKER_SLOTS);

    List<String> started = new java.util.ArrayList<>();
    for (int i = 0; i < queued.size(); i++) {
      f.state.cancel(filler, f.state.active().get("filler", "f" + i), "a slot is needed");
      f.state.flush();
      driver.drive(true);
      for (String id : queued) {
        if (!started.contains(id)
            && f.stored(id, "r").tasks().get("t").state() == TaskState.RUNNING) {
          started.add(id);
        }
      }
    }

    assertThat(started).containsExactlyElementsOf(queued);
  }

  /**
   * A run whose ready tasks outnumber the slots that free keeps its place at the head of the line:
   * its second task starts before any younger run's first, as its first did.
   */
  @Test
  void aFanOutRunKeepsItsPlaceUntilEveryReadyTaskStarted() {
    JobEntry filler = f.load(TermFixture.manualJob("filler")).get(0);
    for (int i = 0; i < TermFixture.WORKER_SLOTS; i++) {
      f.startedRun(filler, "f" + i);
    }
    JobEntry fan =
        f.load(JobDefinition.builder("fan").task("a", "block").task("b", "block").build()).get(0);
    f.startedRun(fan, "r");
    f.startedRun(f.load(TermFixture.manualJob("young1")).get(0), "r");
    f.startedRun(f.load(TermFixture.manualJob("young2")).get(0), "r");

    List<String> started = new java.util.ArrayList<>();
    java.util.Map<String, String> tasks =
        java.util.Map.of(
            "fan.a", "fan/a", "fan.b", "fan/b", "young1", "young1/t", "young2", "young2/t");
    for (int i = 0; i < 4; i++) {
      f.state.cancel(filler, f.state.active().get("filler", "f" + i), "a slot is needed");
      f.state.flush();
      driver.startQueued();
      f.state.flush();
      for (String name : List.of("fan.a", "fan.b", "young1", "young2")) {
        String[] jobAndTask = tasks.get(name).split("/");
        if (!started.contains(name)
            && f.stored(jobAndTask[0], "r").tasks().get(jobAndTask[1]).state()
                == TaskState.RUNNING) {
          started.add(name);
        }
      }
    }

    assertThat(started).containsExactly("fan.a", "fan.b", "young1", "young2");
  }

  /**
   * The slot a reported attempt frees goes to the oldest queued run in the same multi that records
   * the report: a leader that wrote the outcome first and the start one multi later spent a
   * ZooKeeper round trip of every slot's cycle on it, which capped a worker's starts per second.
   */
  @Test
  void aReportedSlotGoesToTheOldestQueuedRunInTheWriteThatRecordsIt() {
    JobEntry filler = f.load(TermFixture.manualJob("filler")).get(0);
    for (int i = 1; i < TermFixture.WORKER_SLOTS; i++) {
      f.startedRun(filler, "f" + i);
    }
    JobEntry quick = f.load(JobDefinition.builder("quick").task("t", "record").build()).get(0);
    f.startedRun(quick, "q");
    f.startedRun(f.load(TermFixture.manualJob("waiting")).get(0), "r");
    assertThat(f.stored("waiting", "r").tasks().get("t").state()).isEqualTo(TaskState.PENDING);
    dev.zkscheduler.cluster.Assignment reported =
        new dev.zkscheduler.cluster.Assignment(TermFixture.WORKER, "quick", "q", "t", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> f.workers.reported(reported).isPresent());
    int commits = f.store.committed().size();

    f.attempts.recordOutcomes();
    driver.startQueued();
    f.state.flush();

    assertThat(f.store.committed()).hasSize(commits + 1);
    List<StoreOp> multi = f.store.committed().get(commits);
    assertThat(multi).anyMatch(StoreOp.Unassign.class::isInstance);
    assertThat(multi).anyMatch(StoreOp.Assign.class::isInstance);
    assertThat(f.stored("quick", "q").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(f.stored("waiting", "r").tasks().get("t").state()).isEqualTo(TaskState.RUNNING);
  }

  /**
   * A slot taken back unreported (a cancelled attempt whose handler may still hold its thread)
   * counts until the multi that takes it back commits.
   */
  @Test
  void aSlotTakenBackUnreportedIsFreeOnlyOnceTheTakingBackCommits() {
    JobEntry filler = f.load(TermFixture.manualJob("filler")).get(0);
    for (int i = 0; i < TermFixture.WORKER_SLOTS; i++) {
      f.startedRun(filler, "f" + i);
    }
    f.startedRun(f.load(TermFixture.manualJob("waiting")).get(0), "r");

    f.state.cancel(filler, f.state.active().get("filler", "f0"), "a slot is needed");
    driver.startQueued();
    f.state.flush();
    assertThat(f.stored("waiting", "r").tasks().get("t").state()).isEqualTo(TaskState.PENDING);

    driver.startQueued();
    f.state.flush();
    assertThat(f.stored("waiting", "r").tasks().get("t").state()).isEqualTo(TaskState.RUNNING);
  }
}
