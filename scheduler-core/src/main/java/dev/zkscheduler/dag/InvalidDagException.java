package dev.zkscheduler.dag;

import dev.zkscheduler.error.SchedulerException;
import java.util.List;

/**
 * The dependency graph of a job is not a DAG: a task depends on itself, on an unknown task, or
 * tasks form a cycle. {@link #taskId()} is the task whose {@code dependsOn} holds the problem and
 * {@link #path()} the cycle in order, each task depending on the next, the first repeated at the
 * end ({@code [a, b, c, a]}: a depends on b, b on c, c on a).
 */
public class InvalidDagException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Kind {
    SELF_DEPENDENCY,
    UNKNOWN_DEPENDENCY,
    CYCLE
  }

  private final Kind kind;
  private final String taskId;
  private final String dependency;
  private final List<String> path;

  InvalidDagException(
      Kind kind, String taskId, String dependency, List<String> path, String message) {
    super(message);
    this.kind = kind;
    this.taskId = taskId;
    this.dependency = dependency;
    this.path = List.copyOf(path);
  }

  public Kind kind() {
    return kind;
  }

  public String taskId() {
    return taskId;
  }

  /** The offending entry of the task's {@code dependsOn}. */
  public String dependency() {
    return dependency;
  }

  public List<String> path() {
    return path;
  }
}
