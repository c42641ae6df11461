package dev.zkscheduler.dag;

import static dev.zkscheduler.dag.RunState.CANCELLED;
import static dev.zkscheduler.dag.RunState.FAILED;
import static dev.zkscheduler.dag.RunState.PENDING;
import static dev.zkscheduler.dag.RunState.RUNNING;
import static dev.zkscheduler.dag.RunState.SKIPPED;
import static dev.zkscheduler.dag.RunState.SUCCEEDED;
import static dev.zkscheduler.dag.RunState.TIMED_OUT;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The run state machine as a table. A run is created PENDING (or directly SKIPPED, when a
 * concurrency policy refuses it); it becomes RUNNING when its first task starts. Terminal states
 * allow nothing.
 */
public final class RunTransitions {

  private static final Map<RunState, Set<RunState>> ALLOWED = new EnumMap<>(RunState.class);

  static {
    ALLOWED.put(PENDING, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, SKIPPED));
    ALLOWED.put(RUNNING, EnumSet.of(SUCCEEDED, FAILED, CANCELLED, TIMED_OUT));
    for (RunState terminal : RunState.values()) {
      if (terminal.isTerminal()) {
        ALLOWED.put(terminal, EnumSet.noneOf(RunState.class));
      }
    }
  }

  private RunTransitions() {}

  public static boolean allowed(RunState from, RunState to) {
    return ALLOWED.get(from).contains(to);
  }

  /**
   * @throws IllegalTransitionException unless {@code from → to} is in the table
   */
  public static void check(RunState from, RunState to) {
    if (!allowed(from, to)) {
      throw new IllegalTransitionException("run", from, to);
    }
  }

  public static Set<RunState> from(RunState state) {
    return Collections.unmodifiableSet(ALLOWED.get(state));
  }
}
