package dev.zkscheduler.service.api;

import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.service.secrets.Redaction;
import dev.zkscheduler.service.tasks.HttpTask;
import dev.zkscheduler.service.tasks.ShellTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The secret-bearing parts of task configs — {@code http} headers and {@code shell} env — and the
 * two things the API does with them: answer their values as {@link Redaction#MARKER} (names kept),
 * and, on a write, read a value that is the marker as "keep the stored value", so that a job read
 * back from the API and written again keeps its secrets rather than storing the marker. Thread-safe
 * (stateless).
 */
public final class SecretFields {

  private static final Map<String, String> BY_TYPE =
      Map.of(HttpTask.TYPE, HttpTask.HEADERS, ShellTask.TYPE, ShellTask.ENV);

  private SecretFields() {}

  /** A job whose markers were replaced by stored values; {@code keptAny} if there were any. */
  public record Restored(JobDefinition job, boolean keptAny) {}

  /** {@code config} with the values of its secret-bearing map replaced by the marker. */
  static Map<String, Object> redact(String type, Map<String, Object> config) {
    String field = BY_TYPE.get(type);
    if (field == null || !(config.get(field) instanceof Map<?, ?> values)) {
      return config;
    }
    Map<String, Object> redacted = new LinkedHashMap<>();
    values.keySet().forEach(name -> redacted.put(String.valueOf(name), Redaction.MARKER));
    Map<String, Object> copy = new LinkedHashMap<>(config);
    copy.put(field, redacted);
    return copy;
  }

  /**
   * {@code incoming} with every marker value replaced by the value stored under the same name, in
   * the task of the same id and type of {@code stored}.
   *
   * @param stored the job as stored, or null when there is none
   * @throws JobValidationException naming each marker with no stored value to keep
   */
  public static Restored restore(JobDefinition incoming, JobDefinition stored) {
    List<FieldError> errors = new ArrayList<>();
    List<TaskDefinition> tasks = new ArrayList<>();
    boolean keptAny = false;
    for (int i = 0; i < incoming.tasks().size(); i++) {
      TaskDefinition task = incoming.tasks().get(i);
      String field = BY_TYPE.get(task.type());
      if (field == null || !(task.config().get(field) instanceof Map<?, ?> values)) {
        tasks.add(task);
        continue;
      }
      Map<?, ?> kept = storedValues(stored, task, field);
      Map<String, Object> restored = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : values.entrySet()) {
        String name = String.valueOf(entry.getKey());
        if (!Redaction.MARKER.equals(entry.getValue())) {
          restored.put(name, entry.getValue());
        } else if (kept.containsKey(name)) {
          restored.put(name, kept.get(name));
          keptAny = true;
        } else {
          errors.add(
              new FieldError(
                  "tasks[" + i + "].config." + field + "." + name,
                  "is the redaction marker '"
                      + Redaction.MARKER
                      + "', but the stored job has no value to keep for it (no "
                      + task.type()
                      + " task '"
                      + task.id()
                      + "' with this name); write the value or a reference"));
        }
      }
      Map<String, Object> config = new LinkedHashMap<>(task.config());
      config.put(field, restored);
      tasks.add(
          new TaskDefinition(
              task.id(),
              task.type(),
              config,
              task.dependsOn(),
              task.triggerRule(),
              task.retry(),
              task.timeout()));
    }
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
    if (!keptAny) {
      return new Restored(incoming, false);
    }
    return new Restored(
        new JobDefinition(
            incoming.id(),
            incoming.description(),
            incoming.schedule(),
            tasks,
            incoming.retry(),
            incoming.timeout(),
            incoming.misfirePolicy(),
            incoming.catchUpLimit(),
            incoming.concurrencyPolicy(),
            incoming.paused(),
            incoming.misfireThreshold()),
        true);
  }

  private static Map<?, ?> storedValues(JobDefinition stored, TaskDefinition task, String field) {
    return Optional.ofNullable(stored)
        .flatMap(
            s ->
                s.tasks().stream()
                    .filter(t -> t.id().equals(task.id()) && t.type().equals(task.type()))
                    .findFirst())
        .map(t -> t.config().get(field))
        .filter(Map.class::isInstance)
        .map(Map.class::cast)
        .orElse(Map.of());
  }
}
