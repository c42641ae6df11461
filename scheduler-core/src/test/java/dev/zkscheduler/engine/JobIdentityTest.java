package dev.zkscheduler.engine;

import static dev.zkscheduler.engine.TermFixture.everyMinute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job's identity is the creation of its definition's record, not its id: a job deleted and
 * created again under the same id is a new job, whether a leader saw the delete or not, and the
 * records of jobs deleted while no leader watched do not stay forever.
 */
class JobIdentityTest {

  private static final Instant T0 = TermFixture.T0;

  private final TermFixture f = new TermFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static JobDefinition everyHour(String id) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofHours(1), T0.plusSeconds(17)))
        .task("t", "block")
        .build();
  }

  /** A later term of another node, on the same store, rebuilt from it. */
  private TermWork nextTerm(DefinitionSource definitions) {
    LeaderTerm term = f.memory.newTerm("node-2", f.clock.instant());
    return new TermWork(
        term, f.memory, f.clock, EngineSettings.DEFAULT, f.workers, f.metrics, definitions);
  }

  /** A terminal run of the job, as if fired and finished at {@code at}. */
  private void finishedRun(JobEntry entry, String runId, Instant at) {
    Run run = entry.progress.newRun(runId, entry.job.id(), at, RunTrigger.SCHEDULE, at, 1);
    Run done = run.with(RunState.SUCCEEDED, at, at, run.tasks());
    assertThat(f.state.commit(List.of(new StoreOp.CreateRun(done))).committed()).isTrue();
  }

  @Test
  void storesTellCreationsApart() {
    Versioned<JobDefinition> first = f.memory.createJob(everyMinute("j"));
    Versioned<JobDefinition> edited = f.memory.putJob(everyHour("j"), OptionalInt.of(0));
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.putJob(everyMinute("j"), OptionalInt.empty());

    assertThat(first.created()).isNotZero();
    assertThat(edited.created()).isEqualTo(first.created());
    assertThat(again.version()).isZero();
    assertThat(again.created()).isGreaterThan(first.created());
    assertThat(f.memory.job("j").orElseThrow().created()).isEqualTo(again.created());
  }

  /**
   * Deleted and created again while no leader ran: the next leader neither adopts the old job's
   * active run (which would count its attempt lost and call the task again) nor keeps its progress
   * or history.
   */
  @Test
  void aJobCreatedAgainWhileLeaderlessStartsAfresh() {
    JobEntry old = f.load(everyMinute("j")).get(0);
    f.state.planner().due(T0, f.state.jobs()); // nothing due yet; the plan holds the job
    finishedRun(old, "s-old-done", T0);
    f.startedRun(old, "m-old-active");
    long oldCreation = old.created;
    Run legacy = old.progress.newRun("s-legacy", "j", T0, RunTrigger.SCHEDULE, T0, 1);
    Run legacyDone =
        new Run(
            legacy.id(),
            "j",
            T0,
            RunTrigger.SCHEDULE,
            RunState.SUCCEEDED,
            T0,
            T0,
            T0,
            1,
            legacy.tasks(),
            new dev.zkscheduler.dag.PinnedDag(legacy.dag().runTimeout(), legacy.dag().tasks()));
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(legacyDone)));
    f.clock.advance(Duration.ofMinutes(30));
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.createJob(everyHour("j"));

    TermWork next = nextTerm(DefinitionSource.store(f.memory));
    next.rebuild();

    ScheduleState progress = f.memory.scheduleState("j").orElseThrow().value();
    assertThat(progress.jobCreated()).isEqualTo(again.created()).isNotEqualTo(oldCreation);
    assertThat(progress.lastNominalFire()).isNull();
    assertThat(progress.nextFire()).isAfter(f.clock.instant());
    // The old job's runs were its history: the active one was cancelled, then both removed; a run
    // that does not say which job it came from (written by an older release) is kept.
    assertThat(f.memory.runIds("j")).containsExactly("s-legacy");
    assertThat(next.activeCount()).isZero();
    assertThat(f.memory.activeRuns()).isEmpty();
  }

  /** Jobs deleted while no leader ran: their progress and runs go at the next term. */
  @Test
  void recordsOfJobsDeletedWhileLeaderlessAreCollected() {
    List<JobEntry> entries = f.load(everyMinute("scheduled"), TermFixture.manualJob("manual"));
    finishedRun(entries.get(0), "s-done", T0);
    finishedRun(entries.get(1), "m-done", T0);
    f.startedRun(entries.get(1), "m-active");
    f.load(everyMinute("kept"));
    f.memory.deleteJob("scheduled", OptionalInt.empty());
    f.memory.deleteJob("manual", OptionalInt.empty());

    nextTerm(DefinitionSource.store(f.memory)).rebuild();

    assertThat(f.memory.allScheduleStates()).containsOnlyKeys("kept");
    assertThat(f.memory.runIds("scheduled")).isEmpty();
    assertThat(f.memory.runIds("manual")).isEmpty();
  }

  /**
   * A job this leader could not load but that still exists keeps its records: only a definition
   * gone from the store makes records orphans.
   */
  @Test
  void aJobMissingOnlyFromThePlanKeepsItsRecords() {
    JobEntry entry = f.load(everyMinute("j")).get(0);
    finishedRun(entry, "s-done", T0);

    nextTerm(List::of).rebuild();

    assertThat(f.memory.scheduleState("j")).isPresent();
    assertThat(f.memory.runIds("j")).containsExactly("s-done");
  }

  /**
   * The new leader's watch still holds an older version of a job than the one its progress was
   * computed from: the leader plans with the store's version and keeps the progress, instead of
   * taking the stale schedule for a change and starting over from now.
   */
  @Test
  void aStaleWatchAtTakeoverDoesNotResetProgress() {
    JobEntry entry = f.load(everyMinute("j")).get(0);
    Versioned<JobDefinition> stale = f.memory.job("j").orElseThrow();
    Versioned<JobDefinition> edited = f.memory.putJob(everyHour("j"), OptionalInt.of(0));
    new DefinitionSync(f.state).apply(List.of(new TermWork.DefinitionChange("j", edited)));
    ScheduleState before = f.memory.scheduleState("j").orElseThrow().value();
    assertThat(before.definitionVersion()).isEqualTo(1);
    f.clock.advance(Duration.ofHours(5));

    TermWork next = nextTerm(() -> List.of(stale));
    next.rebuild();

    ScheduleState after = f.memory.scheduleState("j").orElseThrow().value();
    assertThat(after).isEqualTo(before);
    assertThat(next.planned("j").job).isEqualTo(edited.value());
    assertThat(next.planned("j").definitionVersion).isEqualTo(1);
    assertThat(entry.created).isEqualTo(edited.created());
  }

  /**
   * One watch report can carry a delete and a create (the cache saw only the result): the runs of
   * the deleted job end, its history goes, and the new job starts afresh.
   */
  @Test
  void aJobCreatedAgainBetweenTwoReportsIsANewJob() {
    JobEntry old = f.load(everyMinute("j")).get(0);
    finishedRun(old, "s-old-done", T0);
    f.startedRun(old, "m-old-active");
    TaskRunner.AttemptKey handler = TermFixture.key("j", "m-old-active", "t", 1);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.ledger.contains("j/m-old-active/t#1"));
    f.clock.advance(Duration.ofMinutes(3));
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.createJob(everyMinute("j"));

    new DefinitionSync(f.state).apply(List.of(new TermWork.DefinitionChange("j", again)));

    assertThat(f.runner.isRunning(handler)).as("the old job's handler interrupted").isFalse();
    assertThat(f.ledger).as("called once, never again").containsExactly("j/m-old-active/t#1");
    assertThat(f.state.active().count()).isZero();
    assertThat(f.memory.activeRuns()).isEmpty();
    assertThat(f.memory.runIds("j")).isEmpty();
    ScheduleState progress = f.memory.scheduleState("j").orElseThrow().value();
    assertThat(progress.jobCreated()).isEqualTo(again.created());
    assertThat(progress.lastNominalFire()).isNull();
    assertThat(progress.nextFire()).isEqualTo(f.clock.instant().plusSeconds(60));
  }

  /** A report of the earlier creation arriving after the later one's is stale. */
  @Test
  void anEarlierCreationReportedLateIsIgnored() {
    Versioned<JobDefinition> first = f.memory.createJob(everyMinute("j"));
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.createJob(everyHour("j"));
    DefinitionSync sync = new DefinitionSync(f.state);
    sync.apply(List.of(new TermWork.DefinitionChange("j", again)));

    sync.apply(List.of(new TermWork.DefinitionChange("j", first)));

    assertThat(f.state.jobs().get("j").created).isEqualTo(again.created());
    assertThat(f.state.jobs().get("j").job).isEqualTo(again.value());
  }

  /**
   * The stored progress is the only evidence that a job was created again: the old job's history is
   * removed before the new job's progress replaces it, so a takeover that fails in between still
   * finds the evidence on its next try.
   */
  @Test
  void theOldHistoryGoesBeforeTheNewProgressIsWritten() {
    JobEntry old = f.load(everyMinute("j")).get(0);
    finishedRun(old, "s-old-done", T0);
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.createJob(everyMinute("j"));
    int before = f.store.committed().size();

    TermWork next =
        new TermWork(
            f.memory.newTerm("node-2", f.clock.instant()),
            f.store,
            f.clock,
            EngineSettings.DEFAULT,
            f.workers,
            f.metrics,
            DefinitionSource.store(f.store));
    next.rebuild();

    int removed = f.store.firstCommitWith(StoreOp.DeleteRun.class::isInstance);
    int progress =
        f.store.firstCommitWith(
            op ->
                op instanceof StoreOp.PutScheduleState put
                    && put.state().jobCreated() == again.created());
    assertThat(removed).isGreaterThanOrEqualTo(before).isLessThan(progress);
  }

  /** Created again without a schedule: the old job's progress goes, nothing replaces it. */
  @Test
  void aJobCreatedAgainWithoutAScheduleDropsTheOldProgress() {
    f.load(everyMinute("j"));
    f.memory.deleteJob("j", OptionalInt.empty());
    f.memory.createJob(TermFixture.manualJob("j"));

    nextTerm(DefinitionSource.store(f.memory)).rebuild();

    assertThat(f.memory.scheduleState("j")).isEmpty();
  }

  /**
   * Deleted here, created again on another node: the watch's report of the new job may come before
   * the late report of the delete, which must not remove the new job.
   */
  @Test
  void aLateDeleteReportDoesNotRemoveTheJobCreatedAgain() {
    f.load(everyMinute("j"));
    f.memory.deleteJob("j", OptionalInt.empty());
    Versioned<JobDefinition> again = f.memory.createJob(everyHour("j"));
    DefinitionSync sync = new DefinitionSync(f.state);
    sync.apply(List.of(new TermWork.DefinitionChange("j", again)));
    ScheduleState progress = f.memory.scheduleState("j").orElseThrow().value();

    sync.apply(List.of(new TermWork.DefinitionChange("j", null)));

    assertThat(f.state.jobs().get("j").created).isEqualTo(again.created());
    assertThat(f.memory.scheduleState("j").orElseThrow().value()).isEqualTo(progress);
  }

  /**
   * Progress written before creations were recorded (an older release) and a watch lagging behind
   * it at takeover: the versions alone show the listed definition is older, and the store's is
   * planned, without resetting the progress.
   */
  @Test
  void progressFromBeforeCreationsWereRecordedIsNotResetByALaggingWatch() {
    f.memory.createJob(everyMinute("j"));
    Versioned<JobDefinition> stale = f.memory.job("j").orElseThrow();
    f.memory.putJob(everyHour("j"), OptionalInt.of(0));
    ScheduleState legacy = new ScheduleState("j", T0.plusSeconds(17), T0.plusSeconds(17 + 3600), 1);
    f.memory.commit(f.term, List.of(new StoreOp.PutScheduleState(legacy, StoreOp.CREATE)));
    f.clock.advance(Duration.ofHours(3));

    TermWork next = nextTerm(() -> List.of(stale));
    next.rebuild();

    assertThat(next.planned("j").definitionVersion).isEqualTo(1);
    assertThat(f.memory.scheduleState("j").orElseThrow().value().lastNominalFire())
        .isEqualTo(T0.plusSeconds(17));
  }

  /**
   * Records naming a later creation than the job's own (data copied by a tool that created the
   * znodes again, with new, smaller czxids) are not taken for another job's: progress and runs are
   * kept; only a known earlier creation is another job.
   */
  @Test
  void recordsNamingALaterCreationAreNotAnotherJobs() {
    JobEntry entry = f.load(everyMinute("j")).get(0);
    Versioned<ScheduleState> progress = f.memory.scheduleState("j").orElseThrow();
    ScheduleState copied =
        new ScheduleState(
            "j",
            progress.value().lastNominalFire(),
            progress.value().nextFire(),
            progress.value().definitionVersion(),
            entry.created + 1_000);
    f.memory.commit(f.term, List.of(new StoreOp.PutScheduleState(copied, progress.version())));
    Run run = entry.progress.newRun("m-1", "j", T0, RunTrigger.MANUAL, T0, 1);
    Run later =
        new Run(
            run.id(),
            run.jobId(),
            run.nominalTime(),
            run.trigger(),
            RunState.SUCCEEDED,
            T0,
            T0,
            T0,
            1,
            run.tasks(),
            new dev.zkscheduler.dag.PinnedDag(
                run.dag().runTimeout(), run.dag().tasks(), entry.created + 1_000));
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(later)));

    nextTerm(DefinitionSource.store(f.memory)).rebuild();

    assertThat(f.memory.scheduleState("j").orElseThrow().value()).isEqualTo(copied);
    assertThat(f.memory.runIds("j")).containsExactly("m-1");
  }
}
