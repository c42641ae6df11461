package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.schedule.Schedule;
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
    f.load(everyMinute("a"), everyMinute("b"));
    f.clock.advance(Duration.ofMinutes(1));

    new RunCreation(f.state, f.attempts).fireDue();

    assertThat(f.runner.isRunning(TermFixture.key("a", FIRST, "t", 1))).isTrue();
    assertThat(f.runner.isRunning(TermFixture.key("b", FIRST, "t", 1))).isTrue();
    assertThat(f.store.runReads()).isZero();
    assertThat(f.handed.held()).isZero();
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
   * What a multi that is not committed would have handed over is dropped, and assignments of other
   * workers are never held.
   */
  @Test
  void onlyTheLocalWorkersAssignmentsOfSentMultisAreHeld() {
    LocalHandOff handed = new LocalHandOff(() -> "me~1", (a, r) -> {});
    Run mine = running("j", "r1", "me~1");
    Run theirs = running("j", "r2", "other~1");
    Assignment a = Assignment.of(mine).get(0);
    Assignment b = Assignment.of(theirs).get(0);
    List<StoreOp> multi =
        List.of(
            new StoreOp.CreateRun(mine),
            new StoreOp.CreateRun(theirs),
            new StoreOp.Assign(a, T0),
            new StoreOp.Assign(b, T0));

    handed.sending(multi);

    assertThat(handed.held()).isEqualTo(1);
    handed.notSent(multi);
    assertThat(handed.take(a)).isNull();

    handed.sending(multi);
    assertThat(handed.take(b)).isNull();
    assertThat(handed.take(a)).isEqualTo(mine);
    assertThat(handed.take(a)).as("taken once").isNull();
  }

  /** Hand-overs never taken (their assignment taken back unseen) are bounded, oldest out. */
  @Test
  void handOversNeverTakenAreBounded() {
    LocalHandOff handed = new LocalHandOff(() -> "me~1", (a, r) -> {});
    List<Assignment> all = new ArrayList<>();
    for (int i = 0; i <= LocalHandOff.MAX_HELD; i++) {
      Run run = running("j", "r" + i, "me~1");
      Assignment a = Assignment.of(run).get(0);
      all.add(a);
      handed.sending(List.of(new StoreOp.CreateRun(run), new StoreOp.Assign(a, T0)));
    }

    assertThat(handed.held()).isEqualTo(LocalHandOff.MAX_HELD);
    assertThat(handed.take(all.get(0))).isNull();
    assertThat(handed.take(all.get(LocalHandOff.MAX_HELD))).isNotNull();
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
