package dev.zkscheduler.engine;

import static dev.zkscheduler.engine.TermFixture.everyMinute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DefinitionSyncTest {

  private static final java.time.Instant T0 = TermFixture.T0;

  private final TermFixture f = new TermFixture();
  private final DefinitionSync sync = new DefinitionSync(f.state);

  @AfterEach
  void close() {
    f.close();
  }

  private static TermWork.DefinitionChange upsert(Versioned<JobDefinition> job) {
    return new TermWork.DefinitionChange(job.value().id(), job);
  }

  @Test
  void aNewJobHasItsNextFirePersistedBeforeItIsQueued() {
    Versioned<JobDefinition> job = f.store.createJob(everyMinute("j"));

    sync.apply(List.of(upsert(job)));

    Versioned<ScheduleState> stored = f.memory.scheduleState("j").orElseThrow();
    assertThat(stored.version()).isZero();
    assertThat(stored.value().nextFire()).isEqualTo(T0.plusSeconds(60));
    assertThat(stored.value().lastNominalFire()).isNull();
    assertThat(f.state.planner().due(T0.plusSeconds(59), f.state.jobs())).isEmpty();
    assertThat(f.state.planner().due(T0.plusSeconds(60), f.state.jobs()))
        .extracting(due -> due.entry().job.id())
        .containsExactly("j");
  }

  /** Many new jobs: one bulk read, and their states in multis of up to 500, not one each. */
  @Test
  void newJobsArePlannedInBatchedWrites() {
    List<TermWork.DefinitionChange> changes =
        java.util.stream.IntStream.range(0, 1001)
            .mapToObj(i -> upsert(f.store.createJob(everyMinute("j" + i))))
            .toList();

    sync.apply(changes);

    assertThat(f.store.committed()).extracting(List::size).containsExactly(500, 500, 1);
    assertThat(f.memory.allScheduleStates()).hasSize(1001);
    assertThat(f.state.planner().due(T0.plusSeconds(60), f.state.jobs())).hasSize(1001);
  }

  @Test
  void aChangeReportedTwiceIsWrittenOnce() {
    Versioned<JobDefinition> job = f.store.createJob(everyMinute("j"));
    sync.apply(List.of(upsert(job)));
    int writes = f.store.committed().size();

    sync.apply(List.of(upsert(job)));

    assertThat(f.store.committed()).hasSize(writes);
    assertThat(f.memory.scheduleState("j").orElseThrow().version()).isZero();
  }

  /** A new schedule never fires retroactively: the next fire moves to the new grid from now. */
  @Test
  void anEditedScheduleRestartsFromNow() {
    Versioned<JobDefinition> job = f.store.createJob(everyMinute("j"));
    sync.apply(List.of(upsert(job)));
    f.clock.set(T0.plusSeconds(90));
    JobDefinition hourly =
        JobDefinition.builder("j")
            .schedule(Schedule.interval(Duration.ofHours(1), T0))
            .task("t", "record")
            .build();

    sync.apply(List.of(upsert(f.store.putJob(hourly, OptionalInt.of(job.version())))));

    Versioned<ScheduleState> stored = f.memory.scheduleState("j").orElseThrow();
    assertThat(stored.version()).isEqualTo(1);
    assertThat(stored.value().nextFire()).isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(f.state.planner().due(T0.plusSeconds(120), f.state.jobs())).isEmpty();
  }

  @Test
  void deletingAJobCancelsItsActiveRunsAndRemovesItsRecords() {
    JobEntry entry = f.load(everyMinute("j")).get(0);
    Versioned<Run> running = f.startedRun(entry, "r");
    assertThat(f.runner.isRunning(TermFixture.key("j", "r", "t", 1))).isTrue();
    f.memory.deleteJob("j", OptionalInt.empty());

    sync.apply(List.of(new TermWork.DefinitionChange("j", null)));

    int cancelled =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.UpdateRun u && u.run().state() == RunState.CANCELLED);
    int removed = f.store.firstCommitWith(StoreOp.DeleteRun.class::isInstance);
    assertThat(cancelled).isNotNegative().isLessThan(removed);
    assertThat(f.memory.run("j", running.value().id())).isEmpty();
    assertThat(f.memory.scheduleState("j")).isEmpty();
    assertThat(f.state.jobs()).isEmpty();
    assertThat(f.state.active().count()).isZero();
    assertThat(f.runner.isRunning(TermFixture.key("j", "r", "t", 1)))
        .as("its attempt interrupted")
        .isFalse();
  }

  /**
   * A definition the leader cannot build a DAG from (the validator refuses such jobs, but the store
   * is not the validator) fails that job alone: it leaves the fire plan, counted, and the other
   * change of the same tick is applied.
   */
  @Test
  void aDefinitionThatCannotBeLoadedFailsItsJobAloneAndTheOthersApply() {
    Versioned<JobDefinition> good = f.store.createJob(everyMinute("good"));
    JobDefinition cyclic =
        JobDefinition.builder("bad")
            .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
            .task("a", "block", "b")
            .task("b", "block", "a")
            .build();

    sync.apply(List.of(upsert(new Versioned<>(cyclic, 0)), upsert(good)));

    assertThat(f.state.jobs()).containsOnlyKeys("good");
    assertThat(f.registry.counter(dev.zkscheduler.metrics.MetricNames.JOBS_FAILED_ALONE).getCount())
        .isEqualTo(1);
    assertThat(f.state.planner().due(T0.plusSeconds(60), f.state.jobs()))
        .extracting(due -> due.entry().job.id())
        .containsExactly("good");
  }

  /**
   * A deleted job whose record lists a run the leader does not hold (one it could not read): the
   * record stays, since it is the only place a next term finds that run. It used to be deleted, the
   * entry gone before the check that keeps it.
   */
  @Test
  void aDeletedJobsRecordListingARunTheLeaderDoesNotHoldIsKept() {
    JobEntry entry = f.load(TermFixture.manualJob("gone")).get(0);
    f.startedRun(entry, "held");
    f.listInFlight(entry, "unread", 1);
    f.memory.deleteJob("gone", OptionalInt.empty());

    sync.apply(List.of(new TermWork.DefinitionChange("gone", null)));

    assertThat(f.memory.scheduleState("gone")).isPresent();
    assertThat(f.memory.scheduleState("gone").orElseThrow().value().activeRunIds())
        .contains("unread-0");
    assertThat(f.stored("gone", "held").state()).isEqualTo(RunState.CANCELLED);
    assertThat(f.state.jobs()).doesNotContainKey("gone");
  }

  /** With no run listed in flight, a deleted job's record goes as before. */
  @Test
  void aDeletedJobsRecordListingNoRunInFlightIsRemoved() {
    JobEntry entry = f.load(TermFixture.manualJob("gone")).get(0);
    f.startedRun(entry, "held");
    f.memory.deleteJob("gone", OptionalInt.empty());

    sync.apply(List.of(new TermWork.DefinitionChange("gone", null)));

    assertThat(f.memory.scheduleState("gone")).isEmpty();
    assertThat(f.state.jobs()).doesNotContainKey("gone");
  }

  /**
   * One job's schedule state too large to write (a list of runs in flight that filled the record,
   * then the user gave the job a schedule) fails that job alone: the other jobs are planned. It
   * used to fail the whole load, so no term ever got past it.
   */
  @Test
  void aScheduleStateTooLargeToWriteFailsItsJobAloneNotTheLoad() {
    TermFixture small =
        new TermFixture(
            EngineSettings.DEFAULT, new dev.zkscheduler.store.StoreLimits(8192, 16384, 100));
    try {
      Versioned<JobDefinition> big = small.store.createJob(everyMinute("big"));
      Versioned<JobDefinition> fine = small.store.createJob(everyMinute("fine"));
      // As many runs listed as the record holds without schedule progress: with it, too many.
      List<String> ids = new java.util.ArrayList<>();
      while (true) {
        ids.add("m" + ids.size());
        try {
          small.memory.commit(
              small.term,
              List.of(
                  new StoreOp.PutScheduleState(
                      new ScheduleState("big", null, null, 0).withActiveRunIds(ids),
                      small.memory.scheduleState("big").map(Versioned::version).orElse(-1))));
        } catch (dev.zkscheduler.error.RecordTooLargeException full) {
          break;
        }
      }
      DefinitionSync loading = new DefinitionSync(small.state);

      loading.load(List.of(big, fine), small.memory.allScheduleStates(), T0);

      assertThat(small.memory.scheduleState("fine")).isPresent();
      assertThat(small.state.planner().due(T0.plusSeconds(60), small.state.jobs()))
          .extracting(due -> due.entry().job.id())
          .containsExactly("fine");
      assertThat(small.registry.counter(MetricNames.JOBS_FAILED_ALONE).getCount()).isEqualTo(1);
    } finally {
      small.close();
    }
  }

  /** {@code count} jobs no leader planned: job {@code i}'s first fire is {@code i} s after T0. */
  private List<Versioned<JobDefinition>> staggered(int count) {
    return java.util.stream.IntStream.range(1, count + 1)
        .mapToObj(
            i ->
                f.store.createJob(
                    JobDefinition.builder(String.format(java.util.Locale.ROOT, "j%04d", i))
                        .schedule(Schedule.interval(Duration.ofHours(1), T0.plusSeconds(i)))
                        .task("t", "block")
                        .build()))
        .toList();
  }

  private List<String> queuedBy(java.time.Instant when) {
    return f.state.planner().due(when, f.state.jobs()).stream()
        .map(due -> due.entry().job.id())
        .toList();
  }

  /**
   * A new term with 100,000 jobs no leader planned held every fire back for their 100,000 first
   * writes (about 5 s). It writes first those due soon, then a share per tick in order of first
   * fire; a job is queued once its state is written.
   */
  @Test
  void aNewTermWritesTheFirstStatesDueSoonFirstAndTheRestATickAtATime() {
    List<Versioned<JobDefinition>> jobs = staggered(2_500);

    sync.load(jobs, Map.of(), T0);

    int firstShare = DefinitionSync.FIRST_STATES_PER_TICK;
    assertThat(f.memory.allScheduleStates()).hasSize(firstShare);
    assertThat(f.memory.scheduleState("j0001")).isPresent();
    assertThat(f.memory.scheduleState(String.format(java.util.Locale.ROOT, "j%04d", firstShare)))
        .isPresent();
    assertThat(sync.firstStatesPending()).isEqualTo(2_500 - firstShare);
    assertThat(queuedBy(T0.plusSeconds(firstShare))).hasSize(firstShare);
    assertThat(f.memory.scheduleState("j2500")).isEmpty();

    sync.writeFirstStates();
    sync.writeFirstStates();

    assertThat(sync.firstStatesPending()).isZero();
    assertThat(f.memory.allScheduleStates()).hasSize(2_500);
    assertThat(f.memory.scheduleState("j2500").orElseThrow().value().nextFire())
        .isEqualTo(T0.plusSeconds(2_500));
    assertThat(queuedBy(T0.plusSeconds(2_500))).hasSize(2_500 - firstShare);
  }

  /** However far behind the writing is, a job due within the lead is written (and queued) now. */
  @Test
  void everyFirstStateDueWithinTheLeadIsWrittenWhateverTheShare() {
    sync.load(staggered(2_500), Map.of(), T0);
    // 1,202 due within the lead: more than a tick's share.
    f.clock.set(T0.plusSeconds(2_200));

    sync.writeFirstStates();

    long lead = DefinitionSync.FIRST_STATES_LEAD.toSeconds();
    String lastDue = String.format(java.util.Locale.ROOT, "j%04d", 2_200 + lead);
    String firstNotDue = String.format(java.util.Locale.ROOT, "j%04d", 2_201 + lead);
    assertThat(f.memory.scheduleState(lastDue)).isPresent();
    assertThat(f.memory.scheduleState(firstNotDue)).isEmpty();
    assertThat(queuedBy(T0.plusSeconds(2_200))).contains("j2200");
  }

  /** An edit or a delete of a job still waiting for its first state is not undone by that write. */
  @Test
  void aJobEditedOrDeletedBeforeItsFirstStateIsWrittenKeepsWhatTheEditDid() {
    List<Versioned<JobDefinition>> jobs = staggered(2_500);
    sync.load(jobs, Map.of(), T0);
    Versioned<JobDefinition> edited =
        f.store.putJob(everyMinute("j2000"), OptionalInt.of(jobs.get(1_999).version()));
    f.memory.deleteJob("j2100", OptionalInt.empty());

    sync.apply(List.of(upsert(edited), new TermWork.DefinitionChange("j2100", null)));
    sync.writeFirstStates();
    sync.writeFirstStates();

    Versioned<ScheduleState> stored = f.memory.scheduleState("j2000").orElseThrow();
    assertThat(stored.version()).isZero();
    assertThat(stored.value().nextFire()).isEqualTo(T0.plusSeconds(60));
    assertThat(f.memory.scheduleState("j2100")).isEmpty();
    assertThat(f.state.jobs()).doesNotContainKey("j2100");
  }

  /**
   * A manual run of a job waiting for its first state creates the record (listing the run) and
   * queues the job: the pending write is not made on top of it.
   */
  @Test
  void aManualRunOfAJobWaitingForItsFirstStateIsNotWrittenOver() {
    sync.load(staggered(2_500), Map.of(), T0);
    Versioned<Run> manual = f.startedRun(f.state.jobs().get("j2400"), "m1");

    sync.writeFirstStates();
    sync.writeFirstStates();

    Versioned<ScheduleState> stored = f.memory.scheduleState("j2400").orElseThrow();
    assertThat(stored.version()).isZero();
    assertThat(stored.value().activeRunIds()).containsExactly(manual.value().id());
    assertThat(queuedBy(T0.plusSeconds(2_400))).contains("j2400");
  }

  /**
   * A term that leaves first states unwritten notes when its plan began, before it writes any of
   * them, and removes the note once all are written.
   */
  @Test
  void aTermNotesWhenItsPlanBeganWhileFirstStatesAreUnwritten() {
    sync.load(staggered(2_500), Map.of(), T0);

    assertThat(f.memory.firstStatesPendingSince()).contains(T0);
    int marked = f.store.firstCommitWith(StoreOp.MarkFirstStatesPending.class::isInstance);
    assertThat(marked).isNotNegative();
    assertThat(marked)
        .isLessThan(f.store.firstCommitWith(StoreOp.PutScheduleState.class::isInstance));
    sync.writeFirstStates();
    assertThat(f.memory.firstStatesPendingSince()).contains(T0);

    sync.writeFirstStates();

    assertThat(sync.firstStatesPending()).isZero();
    assertThat(f.memory.firstStatesPendingSince()).isEmpty();
  }

  /**
   * A term that ended with first states unwritten: the next plans those jobs as it did, so a first
   * fire due in between is due now (and goes through the misfire policy), not skipped. Before the
   * note, the next term planned them from its own start, and such a fire was lost.
   */
  @Test
  void theNextTermPlansTheJobsLeftWithoutAFirstStateFromTheNotedPlan() {
    List<Versioned<JobDefinition>> jobs = staggered(2_500);
    sync.load(jobs, Map.of(), T0);
    assertThat(f.memory.scheduleState("j2000")).isEmpty();

    // The term ends here, its first states for j1001..j2500 unwritten; the next begins later.
    f.clock.set(T0.plusSeconds(2_300));
    TermState next =
        new TermState(
            f.memory.newTerm("node-2", f.clock.instant()),
            f.store,
            f.clock,
            EngineSettings.DEFAULT,
            f.workers,
            f.metrics);
    DefinitionSync nextSync = new DefinitionSync(next);
    nextSync.load(jobs, f.memory.allScheduleStates(), f.clock.instant());

    assertThat(f.memory.scheduleState("j2000").orElseThrow().value().nextFire())
        .isEqualTo(T0.plusSeconds(2_000));
    assertThat(next.planner().due(f.clock.instant(), next.jobs()))
        .extracting(due -> due.entry().job.id())
        .contains("j1001", "j2000", "j2300")
        .doesNotContain("j2301");
    while (nextSync.firstStatesPending() > 0) {
      nextSync.writeFirstStates();
    }
    nextSync.writeFirstStates();
    assertThat(f.memory.firstStatesPendingSince()).isEmpty();
  }

  /**
   * A noted plan never starts a job's schedule before the job was created or last changed (a leader
   * that sees the change plans it from then), nor after now.
   */
  @Test
  void aNotedPlanStartsAJobNoEarlierThanItsLastChange() {
    java.time.Instant since = T0;
    java.time.Instant now = T0.plusSeconds(300);
    JobEntry old = entry(everyMinute("old"), null);
    JobEntry created =
        entry(
            everyMinute("new")
                .withAudit(dev.zkscheduler.job.JobAudit.created("alice", T0.plusSeconds(100))),
            null);
    JobEntry edited =
        entry(
            everyMinute("edited")
                .withAudit(
                    new dev.zkscheduler.job.JobAudit(
                        "alice", T0.minusSeconds(1_000), "bob", T0.plusSeconds(200))),
            null);
    JobEntry future =
        entry(
            everyMinute("future")
                .withAudit(dev.zkscheduler.job.JobAudit.created("alice", T0.plusSeconds(400))),
            null);
    JobEntry planned =
        entry(
            everyMinute("planned"),
            new Versioned<>(new ScheduleState("planned", null, T0.plusSeconds(60), 0, 0), 0));

    assertThat(PlannedStates.planFrom(old, since, now)).isEqualTo(since);
    assertThat(PlannedStates.planFrom(created, since, now)).isEqualTo(T0.plusSeconds(100));
    assertThat(PlannedStates.planFrom(edited, since, now)).isEqualTo(T0.plusSeconds(200));
    assertThat(PlannedStates.planFrom(future, since, now)).isEqualTo(now);
    assertThat(PlannedStates.planFrom(planned, since, now)).isEqualTo(now);
    assertThat(PlannedStates.planFrom(old, null, now)).isEqualTo(now);
  }

  /**
   * A note whose start cannot be read: the term plans from its own now, and replaces the note with
   * its own start while first states are pending, or removes it when none is.
   */
  @Test
  void aNoteThatCannotBeReadIsReplacedAndJobsArePlannedFromNow() {
    f.state.commitOrDrop(List.of(new StoreOp.MarkFirstStatesPending(java.time.Instant.MAX)));
    f.clock.set(T0.plusSeconds(10));

    sync.load(staggered(2_500), Map.of(), f.clock.instant());

    assertThat(f.memory.firstStatesPendingSince()).contains(T0.plusSeconds(10));
    assertThat(f.memory.scheduleState("j0011").orElseThrow().value().nextFire())
        .isEqualTo(T0.plusSeconds(11));
    assertThat(f.memory.scheduleState("j0005"))
        .as("from now, its first fire is an hour away: last in line, not written yet")
        .isEmpty();

    TermFixture quiet = new TermFixture();
    try {
      quiet.state.commitOrDrop(List.of(new StoreOp.MarkFirstStatesPending(java.time.Instant.MAX)));
      new DefinitionSync(quiet.state).load(List.of(), Map.of(), T0);
      assertThat(quiet.memory.firstStatesPendingSince()).isEmpty();
    } finally {
      quiet.close();
    }
  }

  private static JobEntry entry(JobDefinition job, Versioned<ScheduleState> state) {
    return new JobEntry(new Versioned<>(job, 0), state);
  }
}
