package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalHandOffTest {

  private static final Instant T0 = TermFixture.T0;
  private static final String FIRST = RunIds.scheduled(T0.plusSeconds(60));

  private final TermFixture f = new TermFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static JobDefinition everyMinute(String id) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .task("t", "block")
        .build();
  }

  /**
   * The leader's own worker starts the attempts the leader assigns it from the runs the leader
   * committed: no run is read back from the store (one ZooKeeper round trip less per attempt).
   */
  @Test
  void theLeadersOwnWorkerStartsWhatItIsAssignedWithoutReadingTheRun() {
    TermFixture own = TermFixture.startingOnItsOwnThread();
    try {
      own.load(everyMinute("a"), everyMinute("b"));
      own.clock.advance(Duration.ofMinutes(1));

      new RunCreation(own.state, own.attempts).fireDue();

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  own.runner.isRunning(TermFixture.key("a", FIRST, "t", 1))
                      && own.runner.isRunning(TermFixture.key("b", FIRST, "t", 1)));
      assertThat(own.store.runReads()).isZero();
      assertThat(own.handed.held()).isZero();
    } finally {
      own.close();
    }
  }

  /** A report the worker wrote is handed to the leader; one not written is not. */
  @Test
  void aReportWrittenIsHandedToTheLeaderOfTheNode() {
    f.load(JobDefinition.builder("m").task("t", "record").build());

    f.startedRun(f.state.jobs().get("m"), "r1");

    Assignment running = f.state.dispatch().inFlight().get(0).assignment();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.reportedHere.contains(running));
    assertThat(f.workers.reported(running)).isPresent();
  }

  /**
   * Only the local worker's runs are held, and handed over only once their multi committed: a
   * worker that asks before gets nothing (it reads the run), and a multi refused or of unknown fate
   * hands nothing over. An assignment taken back drops its run.
   */
  @Test
  void onlyTheLocalWorkersCommittedRunsAreHandedOver() {
    LocalHandOff handed = new LocalHandOff(() -> "me~1", (a, r) -> {}, 16);
    Run mine = running("j", "r1", "me~1");
    Run theirs = running("j", "r2", "other~1");
    Assignment a = Assignment.of(mine).get(0);
    Assignment b = Assignment.of(theirs).get(0);
    List<List<StoreOp>> multi =
        List.of(
            List.of(
                new StoreOp.CreateRun(mine),
                new StoreOp.CreateRun(theirs),
                new StoreOp.Assign(a, T0),
                new StoreOp.Assign(b, T0)));
    List<CommitResult> committed = List.of(CommitResult.COMMITTED);

    handed.sending(multi);
    assertThat(handed.held()).isEqualTo(1);
    assertThat(handed.take(a)).as("asked on the sending thread, before the answer").isNull();
    handed.settled(multi, committed);
    assertThat(handed.held()).as("the early ask dropped it").isZero();

    handed.sending(multi);
    handed.settled(multi, List.of(new CommitResult(CommitResult.Outcome.CONFLICT, 2)));
    assertThat(handed.held()).isZero();
    handed.sending(multi);
    handed.settled(multi, null);
    assertThat(handed.held()).as("fate unknown").isZero();

    handed.sending(multi);
    handed.settled(multi, committed);
    assertThat(handed.take(b)).isNull();
    assertThat(handed.take(a)).isEqualTo(mine);
    assertThat(handed.take(a)).as("taken once").isNull();

    handed.sending(multi);
    handed.settled(multi, committed);
    List<List<StoreOp>> takeBack = List.of(List.of(new StoreOp.Unassign(a)));
    handed.sending(takeBack);
    handed.settled(takeBack, committed);
    assertThat(handed.held()).as("taken back").isZero();
  }

  /** A worker that asks on another thread while the multi is in flight gets the committed run. */
  @Test
  void aWorkerThatAsksWhileTheMultiIsInFlightWaitsForItsAnswer() throws Exception {
    LocalHandOff handed = new LocalHandOff(() -> "me~1", (a, r) -> {}, 16);
    Run mine = running("j", "r1", "me~1");
    Assignment a = Assignment.of(mine).get(0);
    List<List<StoreOp>> multi =
        List.of(List.of(new StoreOp.CreateRun(mine), new StoreOp.Assign(a, T0)));
    handed.sending(multi);

    java.util.concurrent.CompletableFuture<Run> taken =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> handed.take(a));
    handed.settled(multi, List.of(CommitResult.COMMITTED));

    assertThat(taken.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(mine);
  }

  /**
   * An attempt taken back (its run cancelled) while it waited for a start thread is not started:
   * the run handed over showed it running, but the revocation drops the hand-over (and the worker
   * checks that it still holds the attempt right before it starts), so the handler is never called.
   */
  @Test
  void anAttemptTakenBackWhileItWaitedToStartIsNotStarted() throws Exception {
    java.util.concurrent.ExecutorService starting =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    TermFixture own = TermFixture.startingOn(starting);
    try {
      own.load(TermFixture.manualJob("m"));
      starting.execute(
          () -> {
            try {
              busy.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      JobEntry entry = own.state.jobs().get("m");
      Versioned<Run> started = own.startedRun(entry, "r1");

      own.state.cancel(entry, started, "test");
      own.state.flush();
      busy.countDown();

      java.util.concurrent.Future<?> after = starting.submit(() -> {});
      after.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(own.ledger).as("handler calls").isEmpty();
      assertThat(own.runner.running()).isZero();
      assertThat(own.handed.held()).as("the revocation dropped the hand-over").isZero();
    } finally {
      own.close();
    }
  }

  /** A multi the store refuses leaves nothing held for the worker (TermState drops it). */
  @Test
  void aRefusedMultiHandsNothingOver() {
    f.load(TermFixture.manualJob("m"));
    f.store.refuse(ops -> ops.stream().anyMatch(StoreOp.Assign.class::isInstance));
    JobEntry entry = f.state.jobs().get("m");
    Run run = entry.progress.newRun("r1", "m", T0, RunTrigger.MANUAL, T0, 1);
    Run started = f.attempts.markStarted(entry, run, entry.progress.readyTasks(run), T0);

    assertThat(f.state.commit(List.of(new StoreOp.CreateRun(started))).committed()).isFalse();

    assertThat(f.handed.held()).isZero();
  }

  /** Hand-overs never taken (their assignment taken back unseen) are bounded, oldest out. */
  @Test
  void handOversNeverTakenAreBounded() {
    LocalHandOff handed = new LocalHandOff(() -> "me~1", (a, r) -> {}, 8);
    List<Assignment> all = new ArrayList<>();
    for (int i = 0; i <= 8; i++) {
      Run run = running("j", "r" + i, "me~1");
      Assignment a = Assignment.of(run).get(0);
      all.add(a);
      List<List<StoreOp>> multi =
          List.of(List.of(new StoreOp.CreateRun(run), new StoreOp.Assign(a, T0)));
      handed.sending(multi);
      handed.settled(multi, List.of(CommitResult.COMMITTED));
    }

    assertThat(handed.held()).isEqualTo(8);
    assertThat(handed.take(all.get(0))).isNull();
    assertThat(handed.take(all.get(8))).isNotNull();
  }

  /**
   * A run of job {@code jobId} whose one task {@code t} runs its first attempt on {@code worker}.
   */
  private Run running(String jobId, String runId, String worker) {
    if (!f.state.jobs().containsKey(jobId)) {
      f.load(TermFixture.manualJob(jobId));
    }
    JobEntry entry = f.state.jobs().get(jobId);
    Run pending = entry.progress.newRun(runId, jobId, T0, RunTrigger.MANUAL, T0, 1);
    return pending.with(
        RunState.RUNNING,
        T0,
        null,
        java.util.Map.of("t", new TaskRun(TaskState.RUNNING, 1, T0, null, null, worker, null)));
  }
}
