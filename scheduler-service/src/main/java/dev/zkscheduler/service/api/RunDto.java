package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.dag.Run;
import java.util.LinkedHashMap;
import java.util.Map;

/** A run on the wire; {@code tasks} keeps the job's topological order. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "id",
  "jobId",
  "nominalTime",
  "trigger",
  "state",
  "createdAt",
  "startedAt",
  "finishedAt",
  "epoch",
  "tasks"
})
public record RunDto(
    String id,
    String jobId,
    String nominalTime,
    String trigger,
    String state,
    String createdAt,
    String startedAt,
    String finishedAt,
    long epoch,
    Map<String, TaskRunDto> tasks) {

  public static RunDto from(Run run) {
    Map<String, TaskRunDto> tasks = new LinkedHashMap<>();
    run.tasks().forEach((id, task) -> tasks.put(id, TaskRunDto.from(task)));
    return new RunDto(
        run.id(),
        run.jobId(),
        Instants.text(run.nominalTime()),
        run.trigger().name(),
        run.state().name(),
        Instants.text(run.createdAt()),
        Instants.text(run.startedAt()),
        Instants.text(run.finishedAt()),
        run.epoch(),
        tasks);
  }
}
