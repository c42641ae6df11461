package dev.zkscheduler.engine;

import static dev.zkscheduler.engine.TermFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runs in flight are listed in their jobs' schedule states, and only there: every path that
 * creates a non-terminal run lists it in the same write, so a leader that dies right after finds
 * its successor able to take every run over (the in-memory store finds runs only through the lists,
 * as ZooKeeper's does); ending a run writes no list, and ended runs leave the lists lazily.
 */
class RunsInFlightTest {

  private TermFixture f = new TermFixture();
  private RunCreation creation = new RunCreation(f.state, f.attempts);
  private ControlRequests requests = new ControlRequests(f.state, creation);

  @AfterEach
  void close() {
    f.close();
  }

  /** A later term of another node on the same store, rebuilt from it: the next leader. */
  private TermWork nextTerm() {
    LeaderTerm term = f.memory.newTerm("node-2", f.clock.instant());
    return new TermWork(
        term,
        f.store,
        f.clock,
        EngineSettings.DEFAULT,
        f.workers,
        f.metrics,
        DefinitionSource.store(f.memory));
  }

  private static JobDefinition catchingUp(String id, ConcurrencyPolicy policy) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .misfirePolicy(MisfirePolicy.CATCH_UP)
        .catchUpLimit(3)
        .concurrencyPolicy(policy)
        .task("t", "block")
        .build();
  }

  private static JobDefinition quick(String id) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .task("t", "record")
        .build();
  }

  private static ControlRequest request(
      String id, ControlRequest.Kind kind, String jobId, List<String> runIds, List<Instant> at) {
    return new ControlRequest(id, kind, jobId, runIds, at, T0, "node-2");
  }

  private List<String> listed(String jobId) {
    return f.memory.scheduleState(jobId).orElseThrow().value().activeRunIds();
  }

  /** Every committed write that creates a non-terminal run lists it in its job's schedule state. */
  private void assertEveryCreationListedItsRun() {
    int creations = 0;
    for (List<StoreOp> multi : f.store.committed()) {
      for (StoreOp op : multi) {
        if (op instanceof StoreOp.CreateRun c && !c.run().state().isTerminal()) {
          creations++;
          assertThat(multi)
              .as("the write creating %s/%s", c.run().jobId(), c.run().id())
              .anyMatch(
                  o ->
                      o instanceof StoreOp.PutScheduleState p
                          && p.state().jobId().equals(c.run().jobId())
                          && p.state().activeRunIds().contains(c.run().id()));
        }
      }
    }
    assertThat(creations).isPositive();
  }

  /**
   * A leader dies right after a manual trigger (of a job without a schedule, which then gets its
   * first schedule-state record), a backfill, catch-up fires and a REPLACE fire: the next leader
   * holds every one of their runs in flight.
   */
  @Test
  void theNextLeaderFindsEveryRunInFlightWhateverCreatedIt() {
    f.load(
        TermFixture.manualJob("manual"),
        TermFixture.manualJob("backfilled"),
        catchingUp("caught-up", ConcurrencyPolicy.ALLOW),
        catchingUp("replaced", ConcurrencyPolicy.REPLACE));
    assertThat(f.memory.scheduleState("manual")).isEmpty();
    f.store.submitRequest(
        request("t1", ControlRequest.Kind.TRIGGER, "manual", List.of("m1"), List.of()));
    f.store.submitRequest(
        request(
            "b1",
            ControlRequest.Kind.BACKFILL,
            "backfilled",
            List.of("b1", "b2"),
            List.of(T0.minusSeconds(120), T0.minusSeconds(60))));
    requests.consume();
    f.clock.set(T0.plusSeconds(3 * 60 + 30)); // three fires due, caught up
    creation.fireDue();
    f.state.flush();
    f.clock.set(T0.plusSeconds(4 * 60 + 1)); // the REPLACE job replaces its run
    creation.fireDue();
    f.state.flush();

    assertEveryCreationListedItsRun();
    List<String> inFlight = new ArrayList<>();
    f.memory.runs("manual", 10).forEach(r -> inFlight.add("manual/" + r.value().id()));
    for (String job : List.of("backfilled", "caught-up", "replaced")) {
      f.memory.runs(job, 10).stream()
          .filter(r -> !r.value().state().isTerminal())
          .forEach(r -> inFlight.add(job + "/" + r.value().id()));
    }
    assertThat(inFlight).hasSizeGreaterThanOrEqualTo(1 + 2 + 4 + 1);
    assertThat(listed("manual")).containsExactly("m1");

    TermWork next = nextTerm();
    next.rebuild();

    assertThat(next.activeCount()).isEqualTo(inFlight.size());
    assertThat(f.memory.activeRuns())
        .extracting(r -> r.value().jobId() + "/" + r.value().id())
        .containsExactlyInAnyOrderElementsOf(inFlight);
  }

  /**
   * Ending a run writes the run only (the saving); the job's next fire drops it from the list in
   * the write it makes anyway.
   */
  @Test
  void anEndedRunLeavesTheListWithTheNextFireNotWithItsEnd() {
    f.load(quick("j"));
    f.clock.set(T0.plusSeconds(60));
    creation.fireDue();
    String first = RunIds.scheduled(T0.plusSeconds(60));
    assertThat(listed("j")).containsExactly(first);
    int before = f.store.committed().size();
    await(
        () -> {
          f.attempts.recordOutcomes();
          f.state.flush();
          return f.stored("j", first).state().isTerminal();
        });

    assertThat(f.stored("j", first).state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(f.store.committed().subList(before, f.store.committed().size()))
        .as("the writes that ended the run")
        .isNotEmpty()
        .allSatisfy(
            multi -> assertThat(multi).noneMatch(StoreOp.PutScheduleState.class::isInstance));
    assertThat(listed("j")).containsExactly(first);

    f.clock.set(T0.plusSeconds(120));
    creation.fireDue();

    assertThat(listed("j")).containsExactly(RunIds.scheduled(T0.plusSeconds(120)));
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
  }

  /**
   * A job that does not fire again keeps its ended runs listed only until the tidy pass, once they
   * have been ended for {@link RunListTidying#SETTLED}; records go {@value
   * RunListTidying#PER_COMMIT} a multi, {@value RunListTidying#COMMITS_PER_TICK} multis a tick.
   */
  @Test
  void theTidyPassDropsSettledEndedRunsInBudgetedBatches() {
    int jobs = RunListTidying.PER_COMMIT * RunListTidying.COMMITS_PER_TICK + 1;
    List<JobEntry> entries = new ArrayList<>();
    JobDefinition[] definitions = new JobDefinition[jobs];
    for (int i = 0; i < jobs; i++) {
      definitions[i] = TermFixture.manualJob(String.format("j%04d", i));
    }
    entries.addAll(f.load(definitions));
    for (JobEntry entry : entries) {
      Versioned<Run> run = f.startedRun(entry, "m1");
      f.state.cancel(entry, run, "test");
    }
    f.state.flush();
    assertThat(listed("j0000")).containsExactly("m1");
    RunListTidying tidying = new RunListTidying(f.state);

    int before = f.store.committed().size();
    tidying.tidy();
    assertThat(f.store.committed()).as("not settled yet: nothing written").hasSize(before);

    f.clock.advance(RunListTidying.SETTLED.plusMillis(1));
    tidying.tidy();
    List<List<StoreOp>> tidied = f.store.committed().subList(before, f.store.committed().size());
    assertThat(tidied)
        .extracting(List::size)
        .containsExactly(RunListTidying.PER_COMMIT, RunListTidying.PER_COMMIT);
    tidying.tidy();
    assertThat(f.store.committed()).hasSize(before + RunListTidying.COMMITS_PER_TICK + 1);
    for (JobEntry entry : entries) {
      assertThat(listed(entry.job.id())).as(entry.job.id()).isEmpty();
    }
    int done = f.store.committed().size();
    tidying.tidy();
    assertThat(f.store.committed()).as("nothing left to tidy").hasSize(done);
  }

  /**
   * A job deleted while its run is in flight and no leader applies the delete: the next leader
   * finds the run through the job's record, ends it, and only then removes the record.
   */
  @Test
  void aDeletedJobsRunInFlightIsFoundEndedAndItsRecordRemoved() {
    JobEntry entry = f.load(TermFixture.manualJob("gone")).get(0);
    f.startedRun(entry, "m1");
    assertThat(listed("gone")).containsExactly("m1");
    f.memory.deleteJob("gone", OptionalInt.empty());

    TermWork next = nextTerm();
    next.rebuild();

    int cancelled =
        f.store.firstCommitWith(
            op ->
                op instanceof StoreOp.UpdateRun u
                    && u.run().id().equals("m1")
                    && u.run().state() == RunState.CANCELLED);
    assertThat(cancelled).as("the run was ended through the store").isNotNegative();
    assertThat(f.runner.isRunning(TermFixture.key("gone", "m1", "t", 1))).isFalse();
    // Then its history and its record went, as a deleted job's do.
    assertThat(f.memory.run("gone", "m1")).isEmpty();
    assertThat(f.memory.scheduleState("gone")).isEmpty();
    assertThat(next.activeCount()).isZero();
  }

  /** The write path refuses to delete a record while the leader holds a run of its job. */
  @Test
  void aScheduleStateListingARunInFlightIsNotDeleted() {
    JobEntry entry = f.load(TermFixture.manualJob("j")).get(0);
    f.startedRun(entry, "m1");

    assertThatThrownBy(() -> f.state.commit(List.of(new StoreOp.DeleteScheduleState("j"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lists a run in flight");
    assertThat(listed("j")).containsExactly("m1");
  }

  /** Schedule progress written by other paths keeps the runs listed and drops the ended ones. */
  @Test
  void aPlannedScheduleStateKeepsTheRunsInFlightListed() {
    JobEntry entry = f.load(quick("j")).get(0);
    Versioned<Run> ended = f.startedRun(entry, "m-ended");
    f.startedRun(entry, "m-running");
    f.state.cancel(entry, ended, "test");
    f.state.flush();
    ScheduleState progress = entry.state.value();

    f.state.commitOrDrop(
        List.of(
            new StoreOp.PutScheduleState(
                new ScheduleState("j", null, T0.plusSeconds(600), progress.definitionVersion()),
                entry.state.version())));

    assertThat(listed("j")).containsExactly("m-running");
    assertThat(f.memory.scheduleState("j").orElseThrow().value().nextFire())
        .isEqualTo(T0.plusSeconds(600));
  }
}
