package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.dag.TaskRun;

/** One task's progress within a run; unset fields are answered as explicit nulls. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "state",
  "attempts",
  "startedAt",
  "finishedAt",
  "nextAttemptAt",
  "node",
  "error"
})
public record TaskRunDto(
    String state,
    int attempts,
    String startedAt,
    String finishedAt,
    String nextAttemptAt,
    String node,
    String error) {

  public static TaskRunDto from(TaskRun task) {
    return new TaskRunDto(
        task.state().name(),
        task.attempts(),
        Instants.text(task.startedAt()),
        Instants.text(task.finishedAt()),
        Instants.text(task.nextAttemptAt()),
        task.node(),
        task.error());
  }
}
