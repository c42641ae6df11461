package dev.zkscheduler.dag;

import static dev.zkscheduler.dag.TaskState.CANCELLED;
import static dev.zkscheduler.dag.TaskState.FAILED;
import static dev.zkscheduler.dag.TaskState.PENDING;
import static dev.zkscheduler.dag.TaskState.RETRY_WAIT;
import static dev.zkscheduler.dag.TaskState.RUNNING;
import static dev.zkscheduler.dag.TaskState.SKIPPED;
import static dev.zkscheduler.dag.TaskState.SUCCEEDED;
import static dev.zkscheduler.dag.TaskState.TIMED_OUT;
import static dev.zkscheduler.dag.TaskState.UPSTREAM_FAILED;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The task state machine as a table. RUNNING → RETRY_WAIT also covers an attempt lost with a dead
 * leader: the next leader counts it and re-offers per the retry policy. Terminal states allow
 * nothing.
 */
public final class TaskTransitions {

  private static final Map<TaskState, Set<TaskState>> ALLOWED = new EnumMap<>(TaskState.class);

  static {
    ALLOWED.put(PENDING, EnumSet.of(RUNNING, SKIPPED, UPSTREAM_FAILED, CANCELLED));
    ALLOWED.put(RUNNING, EnumSet.of(SUCCEEDED, FAILED, RETRY_WAIT, TIMED_OUT, CANCELLED));
    ALLOWED.put(RETRY_WAIT, EnumSet.of(RUNNING, CANCELLED));
    for (TaskState terminal : TaskState.values()) {
      if (terminal.isTerminal()) {
        ALLOWED.put(terminal, EnumSet.noneOf(TaskState.class));
      }
    }
  }

  private TaskTransitions() {}

  public static boolean allowed(TaskState from, TaskState to) {
    return ALLOWED.get(from).contains(to);
  }

  /**
   * @throws IllegalTransitionException unless {@code from → to} is in the table
   */
  public static void check(TaskState from, TaskState to) {
    if (!allowed(from, to)) {
      throw new IllegalTransitionException("task", from, to);
    }
  }

  public static Set<TaskState> from(TaskState state) {
    return Collections.unmodifiableSet(ALLOWED.get(state));
  }
}
