package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.dag.TaskRun;

/**
 * One task's progress within a run; unset fields are answered as explicit nulls. {@code node} is
 * the member id that ran the latest attempt, {@code worker} the same qualified by that member's
 * ZooKeeper session ({@code memberId~session}), which tells two lives of one member apart.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "state",
  "attempts",
  "startedAt",
  "finishedAt",
  "nextAttemptAt",
  "node",
  "worker",
  "error"
})
public record TaskRunDto(
    String state,
    int attempts,
    String startedAt,
    String finishedAt,
    String nextAttemptAt,
    String node,
    String worker,
    String error) {

  public static TaskRunDto from(TaskRun task) {
    return new TaskRunDto(
        task.state().name(),
        task.attempts(),
        Instants.text(task.startedAt()),
        Instants.text(task.finishedAt()),
        Instants.text(task.nextAttemptAt()),
        task.node() == null ? null : WorkerInfo.memberOf(task.node()),
        task.node(),
        task.error());
  }
}
