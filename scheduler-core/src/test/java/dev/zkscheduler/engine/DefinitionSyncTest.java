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
}
