package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A job definition on the wire, as clients write it and as the API answers it. Every field a client
 * may omit is nullable here; {@link JobMapper} fills the defaults. {@code misfireThreshold} has
 * none to fill (unset means the node's), so like the other optional fields it is left out when
 * unset. {@code status} is answered by {@code GET /api/v1/jobs/{id}} only and is never read.
 *
 * <p>{@code createdBy}, {@code createdAt}, {@code updatedBy} and {@code updatedAt} are the job's
 * audit, answered with every stored job and never read: the server sets them from the calling
 * token's name and its own clock. The creation pair is absent for a job stored before audits were
 * kept and changed since; all four for one never written since.
 */
@JsonPropertyOrder({
  "id",
  "description",
  "schedule",
  "tasks",
  "retry",
  "timeout",
  "misfirePolicy",
  "misfireThreshold",
  "catchUpLimit",
  "concurrencyPolicy",
  "paused",
  "createdBy",
  "createdAt",
  "updatedBy",
  "updatedAt",
  "status"
})
public record JobDto(
    String id,
    @JsonInclude(JsonInclude.Include.NON_NULL) String description,
    @JsonInclude(JsonInclude.Include.NON_NULL) ScheduleDto schedule,
    List<TaskDto> tasks,
    RetryDto retry,
    String timeout,
    String misfirePolicy,
    Integer catchUpLimit,
    String concurrencyPolicy,
    Boolean paused,
    @JsonInclude(JsonInclude.Include.NON_NULL) String misfireThreshold,
    @JsonInclude(JsonInclude.Include.NON_NULL) String createdBy,
    @JsonInclude(JsonInclude.Include.NON_NULL) String createdAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) String updatedBy,
    @JsonInclude(JsonInclude.Include.NON_NULL) String updatedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) JobStatusDto status) {

  public JobDto withStatus(JobStatusDto status) {
    return new JobDto(
        id,
        description,
        schedule,
        tasks,
        retry,
        timeout,
        misfirePolicy,
        catchUpLimit,
        concurrencyPolicy,
        paused,
        misfireThreshold,
        createdBy,
        createdAt,
        updatedBy,
        updatedAt,
        status);
  }
}
