package dev.zkscheduler.job;

import java.time.Instant;
import java.util.Objects;

/**
 * Who created a job and who last changed its record, and when. The scheduler sets it whenever it
 * writes a job ({@code Scheduler.createJob}, {@code putJob}, {@code pause}, {@code resume}): the
 * actor the caller names (the REST service passes its token's name; an embedder may pass its own,
 * or leave the node's member id) and the writing node's clock. An audit on a job handed to those
 * calls is replaced, never trusted.
 *
 * <p>{@code createdBy} and {@code createdAt} are both null when the job's record was written before
 * this field existed and has been changed since: who created it is not known, and is not made up.
 * {@code updatedBy} and {@code updatedAt} are always set; on a job just created they equal the
 * creation's.
 */
public record JobAudit(String createdBy, Instant createdAt, String updatedBy, Instant updatedAt) {

  public JobAudit {
    if ((createdBy == null) != (createdAt == null)) {
      throw new IllegalArgumentException("createdBy and createdAt are both set or both unknown");
    }
    if (createdBy != null) {
      checkActor(createdBy);
    }
    checkActor(updatedBy);
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The audit of a job {@code actor} creates at {@code at}. */
  public static JobAudit created(String actor, Instant at) {
    return new JobAudit(actor, at, actor, at);
  }

  /**
   * The audit after {@code actor} changed the job at {@code at}: who created it is kept. {@code
   * previous} null (a record that predates audits) leaves the creation unknown.
   */
  public static JobAudit changed(JobAudit previous, String actor, Instant at) {
    return previous == null
        ? new JobAudit(null, null, actor, at)
        : new JobAudit(previous.createdBy, previous.createdAt, actor, at);
  }

  /**
   * @throws IllegalArgumentException unless {@code actor} is a non-blank name
   */
  public static void checkActor(String actor) {
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("an actor must be a non-blank name, was '" + actor + "'");
    }
  }
}
