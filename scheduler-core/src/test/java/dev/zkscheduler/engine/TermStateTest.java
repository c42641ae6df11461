package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
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

  /** Rule 1: a queued handler call waits for a committed write showing its attempt running. */
  @Test
  void aHandlerIsCalledOnlyOnceTheWriteRecordingItsStartHasCommitted() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    Run pending =
        job.progress.newRun("r", "j", f.clock.instant(), RunTrigger.MANUAL, f.clock.instant(), 1);
    f.memory.commit(f.term, List.of(new StoreOp.CreateRun(pending)));
    Versioned<Run> versioned = new Versioned<>(pending, 0);
    f.state.active().put(versioned);
    Run started = f.attempts.markStarted(job, pending, List.of("t"), f.clock.instant());
    List<String> called = new ArrayList<>();

    f.state.stage(versioned, started);
    f.state.queueStart(TermFixture.key("j", "r", "t", 1), () -> called.add("staged only"));
    f.state.startCommitted();
    assertThat(called).as("a start that is only staged is dropped").isEmpty();

    f.state.queueStart(TermFixture.key("j", "r", "t", 1), () -> called.add("committed"));
    f.state.flush();
    f.state.queueStart(TermFixture.key("j", "r", "t", 2), () -> called.add("other attempt"));
    f.state.startCommitted();
    assertThat(called).containsExactly("committed");
    assertThat(f.stored("j", "r").tasks().get("t").attempts()).isEqualTo(1);
    assertThat(f.state.pendingStartCount()).isZero();
  }

  /** Rule 1 on a partial failure: the multis that committed start, the refused one does not. */
  @Test
  void whenOneMultiOfAFlushIsRefusedOnlyTheCommittedStartsAreCalled() {
    f.close();
    f = new TermFixture(EngineSettings.DEFAULT.withMaxFiresPerCommit(1));
    List<JobEntry> jobs = f.load(TermFixture.manualJob("a"), TermFixture.manualJob("b"));
    List<String> called = new ArrayList<>();
    for (JobEntry entry : jobs) {
      String id = entry.job.id();
      Instant now = f.clock.instant();
      Run pending = entry.progress.newRun("r", id, now, RunTrigger.MANUAL, now, 1);
      f.memory.commit(f.term, List.of(new StoreOp.CreateRun(pending)));
      Versioned<Run> versioned = new Versioned<>(pending, 0);
      f.state.active().put(versioned);
      f.state.stage(
          versioned, f.attempts.markStarted(entry, pending, List.of("t"), f.clock.instant()));
      f.state.queueStart(TermFixture.key(id, "r", "t", 1), () -> called.add(id));
    }
    f.store.refuse(
        ops ->
            ops.stream()
                .anyMatch(op -> op instanceof StoreOp.UpdateRun u && u.run().jobId().equals("b")));

    assertThatThrownBy(f.state::flush).isInstanceOf(TermWork.StaleViewException.class);
    f.state.startCommitted();

    assertThat(called).containsExactly("a");
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

    f.state.commitOrDrop(List.of(new StoreOp.DeleteScheduleState("j")));

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
