package dev.zkscheduler.service.resources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.schedule.IntervalSchedule;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.api.SecretFields;
import java.time.Instant;
import java.util.Optional;

/**
 * The job a {@code PUT /api/v1/jobs/{id}} would store, worked out from the body and the job as
 * stored now (one read): an interval without {@code startAt} keeps its stored anchor, and redaction
 * markers keep the stored secret-bearing values. {@code stored} is what that was worked out from,
 * so a write conditioned on its version stores exactly what was prepared.
 *
 * @param keptSecrets whether any marker was replaced by a stored value
 */
record Replacement(
    JobDefinition job, Optional<Versioned<JobDefinition>> stored, boolean keptSecrets) {

  /**
   * @throws JobValidationException if the body is invalid, names another id, or holds a marker with
   *     no stored value to keep
   */
  static Replacement prepare(
      Scheduler scheduler, JobMapper jobs, String id, JsonNode body, Instant now) {
    JobDefinition job = jobs.read(body, now);
    if (!id.equals(job.id())) {
      throw new JobValidationException(
          "id", "must match the path ('" + id + "'); a job's id cannot change");
    }
    Optional<Versioned<JobDefinition>> stored = scheduler.job(id);
    job = keepAnchor(job, body, stored.map(Versioned::value));
    SecretFields.Restored restored =
        SecretFields.restore(job, stored.map(Versioned::value).orElse(null));
    return new Replacement(restored.job(), stored, restored.keptAny());
  }

  /**
   * A replaced interval job without {@code startAt} keeps its stored anchor: re-anchoring at the
   * time of the PUT would shift every future fire of an unchanged interval.
   */
  private static JobDefinition keepAnchor(
      JobDefinition job, JsonNode body, Optional<JobDefinition> stored) {
    if (!(job.schedule() instanceof IntervalSchedule interval)
        || body.path("schedule").hasNonNull("startAt")) {
      return job;
    }
    return stored
        .filter(
            old ->
                old.schedule() instanceof IntervalSchedule o
                    && o.interval().equals(interval.interval()))
        .map(old -> job.withSchedule(old.schedule()))
        .orElse(job);
  }
}
