package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The two ordering rules TermState enforces for every phase. */
class TermStateTest {

  private TermFixture f = new TermFixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** Rule 1: an attempt reaches its worker only through the committed write of its start. */
  @Test
  void anAttemptIsGivenToItsWorkerOnlyByTheWriteRecordingItsStart() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    Run pending =
        job.progress.newRun("r", "j", f.clock.instant(), RunTrigger.MANUAL, f.clock.instant(), 1);
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(pending)));
    Versioned<Run> versioned = new Versioned<>(pending, 0);
    f.state.active().put(versioned);
    Run started = f.attempts.markStarted(job, pending, List.of("t"), f.clock.instant());
    assertThat(started.tasks().get("t").node()).isEqualTo(TermFixture.WORKER);

    f.state.stage(versioned, started);
    assertThat(f.memory.assignments()).as("a start that is only staged is not assigned").isEmpty();
    assertThat(f.runner.isRunning(TermFixture.key("j", "r", "t", 1))).isFalse();

    f.state.flush();
    assertThat(f.memory.assignments())
        .extracting(a -> a.assignment().key())
        .containsExactly("j~r~t~1");
    assertThat(f.runner.isRunning(TermFixture.key("j", "r", "t", 1))).isTrue();
    assertThat(f.stored("j", "r").tasks().get("t").attempts()).isEqualTo(1);
    assertThat(f.state.dispatch().count()).isEqualTo(1);
  }

  /** Rule 1 on a partial failure: the multis that committed assign, the refused one does not. */
  @Test
  void whenOneMultiOfAFlushIsRefusedOnlyTheCommittedAttemptsAreAssigned() {
    f.close();
    f = new TermFixture(EngineSettings.DEFAULT.withMaxFiresPerCommit(1));
    List<JobEntry> jobs = f.load(TermFixture.manualJob("a"), TermFixture.manualJob("b"));
    for (JobEntry entry : jobs) {
      String id = entry.job.id();
      Instant now = f.clock.instant();
      Run pending = entry.progress.newRun("r", id, now, RunTrigger.MANUAL, now, 1);
      f.memory.commit(f.term, List.of(new StoreOp.CreateRun(pending)));
      Versioned<Run> versioned = new Versioned<>(pending, 0);
      f.state.active().put(versioned);
      f.state.stage(
          versioned, f.attempts.markStarted(entry, pending, List.of("t"), f.clock.instant()));
    }
    f.store.refuse(
        ops ->
            ops.stream()
                .anyMatch(op -> op instanceof StoreOp.UpdateRun u && u.run().jobId().equals("b")));

    assertThatThrownBy(f.state::flush).isInstanceOf(TermWork.StaleViewException.class);

    assertThat(f.memory.assignments()).extracting(a -> a.assignment().jobId()).containsExactly("a");
    assertThat(f.runner.isRunning(TermFixture.key("a", "r", "t", 1))).isTrue();
    assertThat(f.runner.isRunning(TermFixture.key("b", "r", "t", 1))).isFalse();
  }

  /** Ending an attempt takes its assignment back in the same write: the worker stops it. */
  @Test
  void cancellingARunTakesItsAssignmentsBackAndInterruptsTheirHandlers() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    Versioned<Run> run = f.startedRun(job, "r");
    TaskRunner.AttemptKey key = TermFixture.key("j", "r", "t", 1);
    assertThat(f.runner.isRunning(key)).isTrue();

    f.state.cancel(job, run, "test");
    f.state.flush();

    assertThat(f.memory.assignments()).isEmpty();
    assertThat(f.runner.isRunning(key)).isFalse();
    assertThat(f.stored("j", "r").state()).isEqualTo(RunState.CANCELLED);
    assertThat(f.state.dispatch().count()).isZero();
  }

  /** Rule 2: a staged cancellation is committed in an earlier multi than any run creation. */
  @Test
  void aMultiCreatingARunIsSentOnlyAfterTheStagedChangesCommitted() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    Versioned<Run> old = f.startedRun(job, "old");
    f.state.cancel(job, old, "replaced");
    Run fresh =
        job.progress.newRun("new", "j", f.clock.instant(), RunTrigger.MANUAL, f.clock.instant(), 1);

    assertThat(f.state.commit(List.of(new StoreOp.CreateRun(fresh))).committed()).isTrue();

    int cancelled =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.UpdateRun u && u.run().state() == RunState.CANCELLED);
    int created =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.CreateRun c && c.run().id().equals("new"));
    assertThat(cancelled).isNotNegative().isLessThan(created);
    assertThat(f.state.active().hasStaged()).isFalse();
    assertThat(f.stored("j", "old").state()).isEqualTo(RunState.CANCELLED);
  }

  @Test
  void aWriteThatCreatesNoRunLeavesStagedChangesStaged() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    Versioned<Run> old = f.startedRun(job, "old");
    f.state.cancel(job, old, "cancelled");

    f.state.commitOrDrop(List.of(new StoreOp.DeleteRequest("consumed-before")));

    assertThat(f.state.active().hasStaged()).isTrue();
    assertThat(f.stored("j", "old").state()).isEqualTo(RunState.RUNNING);
  }

  @Test
  void aRefusedCommitOrDropDropsTheView() {
    f.store.refuse(ops -> true);
    assertThatThrownBy(() -> f.state.commitOrDrop(List.of(new StoreOp.DeleteScheduleState("j"))))
        .isInstanceOf(TermWork.StaleViewException.class);
  }
}
