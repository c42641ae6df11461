package dev.zkscheduler.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RunProgressTest {

  private static final Instant T = Instant.parse("2026-12-01T14:00:00Z");

  /** extract -> transform -> load, plus a cleanup task that runs whatever happens. */
  private final RunProgress etl =
      new RunProgress(
          Dag.of(
              new LinkedHashMap<>(
                  Map.of(
                      "extract", List.of(),
                      "transform", List.of("extract"),
                      "load", List.of("transform"),
                      "cleanup", List.of("load")))),
          Map.of("cleanup", TriggerRule.ALL_DONE));

  private Run fresh() {
    return etl.newRun("r1", "etl", T, RunTrigger.SCHEDULE, T, 7);
  }

  @Test
  void aNewRunHasEveryTaskPendingInTopologicalOrder() {
    Run run = fresh();
    assertThat(run.state()).isEqualTo(RunState.PENDING);
    assertThat(run.tasks().keySet()).containsExactly("extract", "transform", "load", "cleanup");
    assertThat(etl.readyTasks(run)).containsExactly("extract");
  }

  @Test
  void tasksBecomeReadyOnlyWhenTheirRuleHolds() {
    Run run = etl.taskStarted(fresh(), "extract", T, "node-1");
    assertThat(run.state()).isEqualTo(RunState.RUNNING);
    assertThat(run.startedAt()).isEqualTo(T);
    assertThat(etl.readyTasks(run)).isEmpty();
    run = etl.taskSucceeded(run, "extract", T.plusSeconds(1));
    assertThat(etl.readyTasks(run)).containsExactly("transform");
    run = etl.taskStarted(run, "transform", T.plusSeconds(2), "node-1");
    run = etl.taskSucceeded(run, "transform", T.plusSeconds(3));
    run = etl.taskStarted(run, "load", T.plusSeconds(4), "node-1");
    run = etl.taskSucceeded(run, "load", T.plusSeconds(5));
    run = etl.taskStarted(run, "cleanup", T.plusSeconds(6), "node-1");
    run = etl.taskSucceeded(run, "cleanup", T.plusSeconds(7));
    assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.finishedAt()).isEqualTo(T.plusSeconds(7));
  }

  @Test
  void aFailureFailsDownstreamButAllDoneStillRuns() {
    Run run = etl.taskStarted(fresh(), "extract", T, "n");
    run = etl.taskFailed(run, "extract", T.plusSeconds(1), "HTTP 500", null);
    assertThat(run.tasks().get("transform").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
    assertThat(run.tasks().get("load").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
    assertThat(etl.readyTasks(run)).containsExactly("cleanup");
    run = etl.taskStarted(run, "cleanup", T.plusSeconds(2), "n");
    run = etl.taskSucceeded(run, "cleanup", T.plusSeconds(3));
    assertThat(run.state()).isEqualTo(RunState.FAILED);
    assertThat(run.tasks().get("extract").error()).isEqualTo("HTTP 500");
  }

  @Test
  void retryWaitsWithItsNextAttemptPersisted() {
    Run run = etl.taskStarted(fresh(), "extract", T, "n");
    run = etl.taskFailed(run, "extract", T.plusSeconds(1), "timeout", T.plusSeconds(11));
    TaskRun waiting = run.tasks().get("extract");
    assertThat(waiting.state()).isEqualTo(TaskState.RETRY_WAIT);
    assertThat(waiting.nextAttemptAt()).isEqualTo(T.plusSeconds(11));
    assertThat(etl.retriesDue(run, T.plusSeconds(10))).isEmpty();
    assertThat(etl.retriesDue(run, T.plusSeconds(11))).containsExactly("extract");
    run = etl.taskStarted(run, "extract", T.plusSeconds(11), "n2");
    assertThat(run.tasks().get("extract").attempts()).isEqualTo(2);
    assertThat(run.tasks().get("extract").node()).isEqualTo("n2");
  }

  @Test
  void cancelInterruptsRunningAndCancelsTheRest() {
    Run run = etl.taskStarted(fresh(), "extract", T, "n");
    RunProgress.Cancellation c = etl.cancel(run, T.plusSeconds(1));
    assertThat(c.interrupted()).containsExactly("extract");
    assertThat(c.run().state()).isEqualTo(RunState.CANCELLED);
    assertThat(c.run().tasks().values()).allMatch(t -> t.state() == TaskState.CANCELLED);
    assertThat(etl.readyTasks(c.run())).isEmpty();
    assertThat(etl.cancel(c.run(), T.plusSeconds(2)).run()).isEqualTo(c.run());
    assertThatThrownBy(() -> etl.taskStarted(c.run(), "transform", T.plusSeconds(3), "n"))
        .isInstanceOf(IllegalTransitionException.class);
  }

  @Test
  void runTimeoutEndsRunningTasksAsTimedOut() {
    Run run = etl.taskStarted(fresh(), "extract", T, "n");
    RunProgress.Cancellation c = etl.timeOut(run, T.plusSeconds(3600));
    assertThat(c.run().state()).isEqualTo(RunState.TIMED_OUT);
    assertThat(c.run().tasks().get("extract").state()).isEqualTo(TaskState.TIMED_OUT);
    assertThat(c.run().tasks().get("load").state()).isEqualTo(TaskState.CANCELLED);
  }

  @Test
  void aSkippedRunIsTerminalAtOnce() {
    Run skipped = etl.skippedRun("r2", "etl", T, RunTrigger.SCHEDULE, T, 7);
    assertThat(skipped.state()).isEqualTo(RunState.SKIPPED);
    assertThat(etl.readyTasks(skipped)).isEmpty();
  }

  /** Cancellation at any point of any run leads to a terminal run in one step. */
  @Property(tries = 300)
  void cancelAtAnyPointIsTerminalInOneStep(
      @ForAll @IntRange(min = 1, max = 25) int size,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 60) int steps) {
    RunProgress progress = new RunProgress(Dag.of(DagTest.randomDag(size, seed)), Map.of());
    Random random = new Random(seed);
    Run run = progress.newRun("r", "j", T, RunTrigger.MANUAL, T, 1);
    for (int i = 0; i < steps && !run.state().isTerminal(); i++) {
      List<String> running =
          run.tasks().entrySet().stream()
              .filter(e -> e.getValue().state() == TaskState.RUNNING)
              .map(Map.Entry::getKey)
              .toList();
      List<String> ready = progress.readyTasks(run);
      if (!running.isEmpty() && (ready.isEmpty() || random.nextBoolean())) {
        String task = running.get(random.nextInt(running.size()));
        run =
            random.nextInt(4) == 0
                ? progress.taskFailed(run, task, T, "boom", null)
                : progress.taskSucceeded(run, task, T);
      } else if (!ready.isEmpty()) {
        run = progress.taskStarted(run, ready.get(random.nextInt(ready.size())), T, "n");
      }
    }
    Run cancelled = progress.cancel(run, T).run();
    assertThat(cancelled.state().isTerminal()).isTrue();
    assertThat(cancelled.tasks().values()).allMatch(t -> t.state().isTerminal());
    assertThat(progress.readyTasks(cancelled)).isEmpty();
  }
}
