package dev.zkscheduler.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One test per source state of each transition table: the allowed set, and all others refused. */
class TransitionsTest {

  @ParameterizedTest
  @EnumSource(TaskState.class)
  void taskTransitionsFrom(TaskState from) {
    EnumSet<TaskState> expected =
        switch (from) {
          case PENDING ->
              EnumSet.of(
                  TaskState.RUNNING,
                  TaskState.SKIPPED,
                  TaskState.UPSTREAM_FAILED,
                  TaskState.CANCELLED);
          case RUNNING ->
              EnumSet.of(
                  TaskState.SUCCEEDED,
                  TaskState.FAILED,
                  TaskState.RETRY_WAIT,
                  TaskState.TIMED_OUT,
                  TaskState.CANCELLED);
          case RETRY_WAIT -> EnumSet.of(TaskState.RUNNING, TaskState.CANCELLED);
          default -> EnumSet.noneOf(TaskState.class);
        };
    assertThat(TaskTransitions.from(from)).containsExactlyInAnyOrderElementsOf(expected);
    for (TaskState to : TaskState.values()) {
      if (expected.contains(to)) {
        TaskTransitions.check(from, to);
      } else {
        assertThatThrownBy(() -> TaskTransitions.check(from, to))
            .isInstanceOf(IllegalTransitionException.class)
            .hasMessage("illegal task transition " + from + " -> " + to);
      }
    }
    assertThat(from.isTerminal()).isEqualTo(expected.isEmpty());
  }

  @ParameterizedTest
  @EnumSource(RunState.class)
  void runTransitionsFrom(RunState from) {
    EnumSet<RunState> expected =
        switch (from) {
          case PENDING ->
              EnumSet.of(
                  RunState.RUNNING,
                  RunState.SUCCEEDED,
                  RunState.FAILED,
                  RunState.CANCELLED,
                  RunState.TIMED_OUT,
                  RunState.SKIPPED);
          case RUNNING ->
              EnumSet.of(
                  RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED, RunState.TIMED_OUT);
          default -> EnumSet.noneOf(RunState.class);
        };
    assertThat(RunTransitions.from(from)).containsExactlyInAnyOrderElementsOf(expected);
    for (RunState to : RunState.values()) {
      assertThat(RunTransitions.allowed(from, to))
          .as("%s -> %s", from, to)
          .isEqualTo(expected.contains(to));
    }
    assertThat(from.isTerminal()).isEqualTo(expected.isEmpty());
  }
}
