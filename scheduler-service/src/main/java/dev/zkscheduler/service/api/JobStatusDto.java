package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.engine.JobStatus;

/** What the engine knows about a job beyond its definition; unknowns are explicit nulls. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"paused", "nextFireTime", "lastRun"})
public record JobStatusDto(boolean paused, String nextFireTime, RunDto lastRun) {

  public static JobStatusDto from(JobStatus status) {
    return new JobStatusDto(
        status.paused(),
        Instants.text(status.nextFireTime()),
        status.lastRun() == null ? null : RunDto.from(status.lastRun()));
  }
}
