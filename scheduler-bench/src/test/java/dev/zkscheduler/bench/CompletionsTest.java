package dev.zkscheduler.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompletionsTest {

  private static final Instant FROM = Instant.parse("2026-12-06T10:00:00Z");
  private static final Instant TO = FROM.plusSeconds(20);

  @Test
  void countsSuccessfulAttemptsFinishedInTheWindowByTheMemberOfTheirWorker() {
    List<Run> runs =
        List.of(
            finished("a", RunState.SUCCEEDED, "exec-1~0000000a1", FROM),
            finished("b", RunState.SUCCEEDED, "exec-2~0000000b2", FROM.plusSeconds(5)),
            finished("c", RunState.SUCCEEDED, "exec-2~0000000b2", TO.minusMillis(1)),
            finished("d", RunState.SUCCEEDED, "exec-1~0000000a1", FROM.minusMillis(1)),
            finished("e", RunState.SUCCEEDED, "exec-1~0000000a1", TO));

    Completions c = Completions.of(runs, "t", FROM, TO);

    assertThat(c.succeeded()).isEqualTo(3);
    assertThat(c.byMember()).isEqualTo(Map.of("exec-1", 1, "exec-2", 2));
    assertThat(c.share("exec-2")).isEqualTo(2 / 3.0);
    assertThat(c.share("exec-3")).isZero();
  }

  @Test
  void failuresRunsStillGoingAndSkippedFiresAreCountedApart() {
    Run skipped =
        new Run(
            "s",
            "job",
            FROM.plusSeconds(1),
            RunTrigger.SCHEDULE,
            RunState.SKIPPED,
            FROM.plusSeconds(1),
            null,
            FROM.plusSeconds(1),
            1,
            Map.of("t", TaskRun.pending()));
    Run running =
        new Run(
            "r",
            "job",
            FROM,
            RunTrigger.SCHEDULE,
            RunState.RUNNING,
            FROM,
            FROM,
            null,
            1,
            Map.of(
                "t",
                new TaskRun(TaskState.RUNNING, 1, FROM, null, null, "exec-1~0000000a1", null)));
    List<Run> runs =
        List.of(
            finished("f", RunState.FAILED, "exec-1~0000000a1", FROM.plusSeconds(2)),
            skipped,
            running);

    Completions c = Completions.of(runs, "t", FROM, TO);

    assertThat(c.succeeded()).isZero();
    assertThat(c.failed()).isEqualTo(1);
    assertThat(c.skipped()).isEqualTo(1);
    assertThat(c.byMember()).isEmpty();
    assertThat(c.share("exec-1")).isZero();
  }

  private static Run finished(String id, RunState state, String worker, Instant finishedAt) {
    TaskState task = state == RunState.SUCCEEDED ? TaskState.SUCCEEDED : TaskState.FAILED;
    Instant started = finishedAt.minusMillis(500);
    return new Run(
        id,
        "job",
        started,
        RunTrigger.SCHEDULE,
        state,
        started,
        started,
        finishedAt,
        1,
        Map.of("t", new TaskRun(task, 1, started, finishedAt, null, worker, null)));
  }
}
