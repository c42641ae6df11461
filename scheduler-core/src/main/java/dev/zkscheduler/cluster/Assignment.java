package dev.zkscheduler.cluster;

import com.google.common.base.Preconditions;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * One attempt of one task of one run, given by the leader to one worker: the worker's node name
 * (one per worker session, see {@link WorkerInfo#name()}) and the attempt it runs. A run records
 * the same fact in its task: RUNNING, with that attempt number and the worker as {@code node}; the
 * leader writes both in one fenced multi, so neither exists without the other.
 */
public record Assignment(String worker, String jobId, String runId, String taskId, int attempt) {

  /** Separates the parts of {@link #key()}: it cannot occur in job, run or task ids. */
  public static final char SEPARATOR = '~';

  public Assignment {
    Preconditions.checkArgument(worker != null && !worker.isEmpty(), "worker is required");
    Preconditions.checkArgument(attempt > 0, "attempt must be positive: %s", attempt);
  }

  /** The attempt's name among its worker's assignments: {@code jobId~runId~taskId~attempt}. */
  public String key() {
    return jobId + SEPARATOR + runId + SEPARATOR + taskId + SEPARATOR + attempt;
  }

  /**
   * The assignment {@code worker} holds under {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is not one {@link #key()} makes
   */
  public static Assignment parse(String worker, String key) {
    String[] parts = key.split(String.valueOf(SEPARATOR), -1);
    Preconditions.checkArgument(parts.length == 4, "not an assignment key: %s", key);
    try {
      return new Assignment(worker, parts[0], parts[1], parts[2], Integer.parseInt(parts[3]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an assignment key: " + key, e);
    }
  }

  /** The attempts {@code run} shows running on a worker: each RUNNING task with a node. */
  public static List<Assignment> of(Run run) {
    List<Assignment> running = new ArrayList<>();
    run.tasks()
        .forEach(
            (taskId, task) -> {
              if (isAssigned(task)) {
                running.add(
                    new Assignment(task.node(), run.jobId(), run.id(), taskId, task.attempts()));
              }
            });
    return running;
  }

  /** Whether {@code task} stands for an assignment: RUNNING, on a named worker. */
  public static boolean isAssigned(TaskRun task) {
    return task.state() == TaskState.RUNNING && task.node() != null && task.attempts() > 0;
  }

  /** Whether this assignment is the attempt {@code task} shows running. */
  public boolean matches(TaskRun task) {
    return task != null
        && isAssigned(task)
        && task.attempts() == attempt
        && task.node().equals(worker);
  }
}
