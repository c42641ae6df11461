package dev.zkscheduler.job;

import dev.zkscheduler.dag.Dag;
import dev.zkscheduler.dag.InvalidDagException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a whole job definition and reports every problem at once, each naming its field by JSON
 * path ({@code id}, {@code tasks[1].dependsOn[0]}, {@code timeout}). Thread-safe.
 *
 * <p>Schedules and retry policies validate themselves when constructed (their constructors throw
 * with the field named); what needs the whole job — ids, the DAG, task types and their config,
 * limits — is checked here. The encoded-size budget is enforced by the codec when the job is
 * stored.
 */
public final class JobValidator {

  private static final Pattern ID = Pattern.compile(JobDefaults.ID_PATTERN);

  private final Map<String, TaskHandler> handlers;

  /**
   * @param handlers the task types this scheduler runs; a task of any other type is refused. Null
   *     skips type checks (for tools that only read definitions).
   */
  public JobValidator(Map<String, TaskHandler> handlers) {
    this.handlers = handlers == null ? null : Map.copyOf(handlers);
  }

  /**
   * @throws JobValidationException listing every invalid field
   */
  public void validate(JobDefinition job) {
    List<FieldError> errors = problems(job);
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  /** Every problem of {@code job}; empty when it is valid. */
  public List<FieldError> problems(JobDefinition job) {
    List<FieldError> errors = new ArrayList<>();
    checkId(errors, "id", job.id());
    if (job.description() != null
        && job.description().length() > JobDefaults.MAX_DESCRIPTION_LENGTH) {
      errors.add(
          new FieldError(
              "description",
              "must be at most " + JobDefaults.MAX_DESCRIPTION_LENGTH + " characters"));
    }
    checkTimeout(errors, "timeout", job.timeout());
    if (job.misfireThreshold() != null) {
      checkDuration(
          errors,
          "misfireThreshold",
          job.misfireThreshold(),
          JobDefaults.MIN_MISFIRE_THRESHOLD,
          JobDefaults.MAX_MISFIRE_THRESHOLD,
          "PT1S and P1D");
    }
    if (job.catchUpLimit() < 1 || job.catchUpLimit() > JobDefaults.MAX_CATCH_UP_LIMIT) {
      errors.add(
          new FieldError(
              "catchUpLimit",
              "must be between 1 and "
                  + JobDefaults.MAX_CATCH_UP_LIMIT
                  + ", was "
                  + job.catchUpLimit()));
    }
    checkTasks(errors, job);
    return errors;
  }

  private void checkTasks(List<FieldError> errors, JobDefinition job) {
    List<TaskDefinition> tasks = job.tasks();
    if (tasks.isEmpty()) {
      errors.add(new FieldError("tasks", "must contain at least one task"));
      return;
    }
    if (tasks.size() > JobDefaults.MAX_TASKS) {
      errors.add(
          new FieldError(
              "tasks",
              "must contain at most " + JobDefaults.MAX_TASKS + " tasks, has " + tasks.size()));
      return;
    }
    Set<String> seen = new HashSet<>();
    Map<String, Integer> indexOf = new LinkedHashMap<>();
    boolean idsValid = true;
    for (int i = 0; i < tasks.size(); i++) {
      TaskDefinition task = tasks.get(i);
      String path = "tasks[" + i + "]";
      if (!checkId(errors, path + ".id", task.id())) {
        idsValid = false;
      } else if (!seen.add(task.id())) {
        errors.add(new FieldError(path + ".id", "duplicate task id '" + task.id() + "'"));
        idsValid = false;
      } else {
        indexOf.put(task.id(), i);
      }
      checkType(errors, path, task);
      if (task.timeout() != null) {
        checkTimeout(errors, path + ".timeout", task.timeout());
      }
      for (int d = 0; d < task.dependsOn().size(); d++) {
        if (task.dependsOn().get(d) == null) {
          errors.add(new FieldError(path + ".dependsOn[" + d + "]", "must not be null"));
          idsValid = false;
        }
      }
    }
    if (idsValid) {
      checkDag(errors, tasks, indexOf);
    }
  }

  private void checkType(List<FieldError> errors, String path, TaskDefinition task) {
    if (task.type() == null || task.type().isBlank()) {
      errors.add(new FieldError(path + ".type", "must be set"));
      return;
    }
    if (handlers == null) {
      return;
    }
    TaskHandler handler = handlers.get(task.type());
    if (handler == null) {
      errors.add(
          new FieldError(
              path + ".type",
              "unknown task type '"
                  + task.type()
                  + "'; this scheduler runs "
                  + new java.util.TreeSet<>(handlers.keySet())));
      return;
    }
    try {
      handler.validateConfig(path + ".config", task.config());
    } catch (JobValidationException e) {
      errors.addAll(e.errors());
    }
  }

  private static void checkDag(
      List<FieldError> errors, List<TaskDefinition> tasks, Map<String, Integer> indexOf) {
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    tasks.forEach(t -> dependsOn.put(t.id(), t.dependsOn()));
    try {
      Dag.of(dependsOn);
    } catch (InvalidDagException e) {
      int task = indexOf.get(e.taskId());
      int dep = tasks.get(task).dependsOn().indexOf(e.dependency());
      errors.add(new FieldError("tasks[" + task + "].dependsOn[" + dep + "]", e.getMessage()));
    }
  }

  private static boolean checkId(List<FieldError> errors, String field, String id) {
    if (id == null || id.isEmpty()) {
      errors.add(new FieldError(field, "must be set"));
      return false;
    }
    if (!ID.matcher(id).matches()) {
      errors.add(
          new FieldError(
              field,
              "'"
                  + printable(id)
                  + "' is not a valid id: 1-128 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"));
      return false;
    }
    return true;
  }

  private static void checkTimeout(List<FieldError> errors, String field, Duration timeout) {
    checkDuration(
        errors, field, timeout, JobDefaults.MIN_TIMEOUT, JobDefaults.MAX_TIMEOUT, "PT1S and P7D");
  }

  /**
   * @param range {@code min} and {@code max} as users write them ({@code Duration.toString} never
   *     writes days)
   */
  private static void checkDuration(
      List<FieldError> errors,
      String field,
      Duration value,
      Duration min,
      Duration max,
      String range) {
    if (value.isNegative() || value.isZero()) {
      errors.add(new FieldError(field, "must be positive, was " + value));
    } else if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      errors.add(new FieldError(field, "must be between " + range + ", was " + value));
    }
  }

  /** Echoes user input safely: control characters escaped, long values cut. */
  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    value
        .codePoints()
        .limit(64)
        .forEach(
            c ->
                out.append(
                    c < 0x20 || c == 0x7f
                        ? String.format(java.util.Locale.ROOT, "\\u%04x", c)
                        : new String(Character.toChars(c))));
    return value.length() > 64 ? out + "..." : out.toString();
  }
}
