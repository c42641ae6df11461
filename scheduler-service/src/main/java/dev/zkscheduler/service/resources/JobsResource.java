package dev.zkscheduler.service.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.error.NoSuchJobException;
import dev.zkscheduler.error.NoSuchRunException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.service.api.BackfillDto;
import dev.zkscheduler.service.api.FireTimesDto;
import dev.zkscheduler.service.api.JobDiffDto;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.api.JobPageDto;
import dev.zkscheduler.service.api.JsonDifferences;
import dev.zkscheduler.service.api.RunDto;
import dev.zkscheduler.service.api.RunIdDto;
import dev.zkscheduler.service.api.RunIdsDto;
import dev.zkscheduler.service.api.RunsDto;
import dev.zkscheduler.service.api.SecretFields;
import dev.zkscheduler.service.audit.Audited;
import dev.zkscheduler.service.auth.Caller;
import dev.zkscheduler.service.auth.Role;
import dev.zkscheduler.service.errors.IfMatchFailedException;
import dev.zkscheduler.service.errors.MalformedBodyException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executor;

/** {@code /api/v1/jobs}: the job and run calls of docs/api.md, on any node. */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class JobsResource {

  private final Scheduler scheduler;
  private final ObjectMapper json;
  private final JobMapper jobs;
  private final JobValidator validator;
  private final Clock clock;
  private final JobListing listing;

  /**
   * @param validator checks a whole definition as the scheduler does when it is written (the same
   *     task types), for {@code diff}
   * @param statusReads where the job list reads the statuses of a page ({@code status=true})
   */
  public JobsResource(
      Scheduler scheduler,
      ObjectMapper json,
      JobMapper jobs,
      JobValidator validator,
      Clock clock,
      Executor statusReads) {
    this.scheduler = scheduler;
    this.json = json;
    this.jobs = jobs;
    this.validator = validator;
    this.clock = clock;
    this.listing = new JobListing(scheduler, jobs, statusReads);
  }

  @POST
  @RolesAllowed(Role.ADMIN_NAME)
  @Audited("create")
  public Response create(@Context SecurityContext security, byte[] body) {
    JobDefinition job = jobs.read(requireObject(body), clock.instant());
    // Nothing is stored yet, so a redaction marker has no value to keep: it is refused.
    Versioned<JobDefinition> created =
        scheduler.createJob(SecretFields.restore(job, null).job(), actor(security));
    return Response.created(URI.create("/api/v1/jobs/" + created.value().id()))
        .tag(etag(created.version()))
        .entity(jobs.toDto(created.value()))
        .build();
  }

  /**
   * A page of jobs in id order. {@code q} (a case-insensitive part of the id or description),
   * {@code state} ({@code paused}, {@code failing}, {@code running}) and {@code status=true} (each
   * job with its status) are optional; see {@link JobListing} for how filtered pages are bounded.
   */
  @GET
  @RolesAllowed(Role.VIEWER_NAME)
  public JobPageDto list(
      @QueryParam("limit") Integer limit,
      @QueryParam("after") String after,
      @QueryParam("q") String query,
      @QueryParam("state") String state,
      @QueryParam("status") String status) {
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 1000) {
      throw new JobValidationException("limit", "must be between 1 and 1000, was " + n);
    }
    return listing.list(
        after, n, query, JobListing.StateFilter.parse(state), flag("status", status));
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Role.VIEWER_NAME)
  public Response get(@PathParam("id") String id) {
    Versioned<JobDefinition> job = scheduler.job(id).orElseThrow(() -> new NoSuchJobException(id));
    return Response.ok(jobs.toDto(job.value(), scheduler.status(id)))
        .tag(etag(job.version()))
        .build();
  }

  @PUT
  @Path("{id}")
  @RolesAllowed(Role.ADMIN_NAME)
  @Audited("update")
  public Response put(
      @PathParam("id") String id,
      @HeaderParam("If-Match") String ifMatch,
      @Context SecurityContext security,
      byte[] body) {
    Replacement replacement =
        Replacement.prepare(scheduler, jobs, id, requireObject(body), clock.instant());
    OptionalInt expected = version(ifMatch);
    // Stored values kept for redaction markers are only right for the version they were read
    // from: without the client's own condition, the write is conditioned on that version.
    boolean conditionedHere = replacement.keptSecrets() && expected.isEmpty();
    if (conditionedHere) {
      expected = OptionalInt.of(replacement.stored().orElseThrow().version());
    }
    try {
      Versioned<JobDefinition> stored =
          scheduler.putJob(replacement.job(), expected, actor(security));
      return Response.ok(jobs.toDto(stored.value())).tag(etag(stored.version())).build();
    } catch (VersionConflictException e) {
      if (conditionedHere) {
        throw new VersionConflictException(
            "job '"
                + id
                + "' changed while the stored values of its redacted fields were being kept;"
                + " read it and send it again");
      }
      if (expected.isEmpty()) {
        // Unconditional, yet other writes kept coming between the read and the write (409).
        throw e;
      }
      throw ifMatchFailed(ifMatch, id);
    }
  }

  /**
   * What a {@code PUT} of this body would do, without doing it: validated as a {@code PUT} is (422
   * otherwise), then compared with the stored job (redaction markers keep stored values, an
   * interval without {@code startAt} keeps its anchor, as in a {@code PUT}). With {@code If-Match}
   * the comparison is against that version or 412. Admin only: it tells whether a guessed secret
   * value equals the stored one, which no lower role may learn.
   */
  @POST
  @Path("{id}/diff")
  @RolesAllowed(Role.ADMIN_NAME)
  public Response diff(
      @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
    Replacement replacement =
        Replacement.prepare(scheduler, jobs, id, requireObject(body), clock.instant());
    validator.validate(replacement.job());
    OptionalInt expected = version(ifMatch);
    OptionalInt actual =
        replacement.stored().map(v -> OptionalInt.of(v.version())).orElse(OptionalInt.empty());
    if (expected.isPresent() && !expected.equals(actual)) {
      throw ifMatchFailed(ifMatch, id);
    }
    if (replacement.stored().isEmpty()) {
      return Response.ok(new JobDiffDto(id, "CREATE", null, List.of())).build();
    }
    Versioned<JobDefinition> stored = replacement.stored().get();
    List<String> differences =
        JsonDifferences.between(
            json.valueToTree(jobs.toUnredactedDto(stored.value())),
            json.valueToTree(jobs.toUnredactedDto(replacement.job())));
    String version = Integer.toString(stored.version());
    return Response.ok(
            new JobDiffDto(id, differences.isEmpty() ? "SAME" : "CHANGE", version, differences))
        .tag(etag(stored.version()))
        .build();
  }

  private static IfMatchFailedException ifMatchFailed(String ifMatch, String id) {
    return new IfMatchFailedException(
        "If-Match " + ifMatch + " does not match the stored version of job '" + id + "'");
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Role.ADMIN_NAME)
  @Audited("delete")
  public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
    boolean deleted;
    try {
      deleted = scheduler.deleteJob(id, version(ifMatch));
    } catch (VersionConflictException e) {
      throw ifMatchFailed(ifMatch, id);
    }
    if (!deleted) {
      throw new NoSuchJobException(id);
    }
    return Response.noContent().build();
  }

  @POST
  @Path("{id}/pause")
  @RolesAllowed(Role.OPERATOR_NAME)
  @Audited("pause")
  public Response pause(@PathParam("id") String id, @Context SecurityContext security) {
    Versioned<JobDefinition> job = scheduler.pause(id, actor(security));
    return Response.ok(jobs.toDto(job.value())).tag(etag(job.version())).build();
  }

  @POST
  @Path("{id}/resume")
  @RolesAllowed(Role.OPERATOR_NAME)
  @Audited("resume")
  public Response resume(@PathParam("id") String id, @Context SecurityContext security) {
    Versioned<JobDefinition> job = scheduler.resume(id, actor(security));
    return Response.ok(jobs.toDto(job.value())).tag(etag(job.version())).build();
  }

  @POST
  @Path("{id}/trigger")
  @RolesAllowed(Role.OPERATOR_NAME)
  @Audited("trigger")
  public Response trigger(@PathParam("id") String id) {
    return Response.accepted(new RunIdDto(scheduler.trigger(id))).build();
  }

  @GET
  @Path("{id}/preview")
  @RolesAllowed(Role.VIEWER_NAME)
  public FireTimesDto preview(
      @PathParam("id") String id,
      @QueryParam("count") Integer count,
      @QueryParam("from") String from) {
    Instant start = from == null ? clock.instant() : instant("from", from);
    return FireTimesDto.from(scheduler.preview(id, start, count == null ? 5 : count));
  }

  @POST
  @Path("{id}/backfill")
  @RolesAllowed(Role.OPERATOR_NAME)
  @Audited("backfill")
  public Response backfill(@PathParam("id") String id, byte[] body) {
    BackfillDto request = BackfillDto.from(requireObject(body));
    Instant from = instant("from", request.from());
    Instant to = instant("to", request.to());
    List<String> runIds = scheduler.backfill(id, from, to);
    return Response.accepted(new RunIdsDto(runIds)).build();
  }

  @GET
  @Path("{id}/runs")
  @RolesAllowed(Role.VIEWER_NAME)
  public RunsDto runs(@PathParam("id") String id, @QueryParam("limit") Integer limit) {
    int n = limit == null ? 50 : limit;
    if (n < 1 || n > 1000) {
      throw new JobValidationException("limit", "must be between 1 and 1000, was " + n);
    }
    return RunsDto.from(scheduler.runs(id, n));
  }

  @GET
  @Path("{id}/runs/{runId}")
  @RolesAllowed(Role.VIEWER_NAME)
  public RunDto run(@PathParam("id") String id, @PathParam("runId") String runId) {
    scheduler.job(id).orElseThrow(() -> new NoSuchJobException(id));
    return RunDto.from(
        scheduler.run(id, runId).orElseThrow(() -> new NoSuchRunException(id, runId)));
  }

  @POST
  @Path("{id}/runs/{runId}/cancel")
  @RolesAllowed(Role.OPERATOR_NAME)
  @Audited("cancel")
  public Response cancel(@PathParam("id") String id, @PathParam("runId") String runId) {
    scheduler.cancel(id, runId);
    return Response.accepted(new RunIdDto(runId)).build();
  }

  // ---- helpers ----

  /** The name a job's audit records for the caller: its token's, or "anonymous" with auth off. */
  private static String actor(SecurityContext security) {
    return Caller.of(security).name();
  }

  private static EntityTag etag(int version) {
    return new EntityTag(Integer.toString(version));
  }

  /** {@code If-Match: "3"} (or {@code 3}, or {@code W/"3"}) → 3; absent → unconditional. */
  private static OptionalInt version(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
      return OptionalInt.empty();
    }
    String v = ifMatch.trim().replaceFirst("^W/", "").replace("\"", "");
    try {
      return OptionalInt.of(Integer.parseInt(v));
    } catch (NumberFormatException e) {
      throw new IfMatchFailedException(
          "If-Match " + ifMatch + " is not a version this service issued");
    }
  }

  /** {@code true} or {@code false}; absent is false. */
  private static boolean flag(String name, String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw new JobValidationException(name, "must be true or false, was '" + value + "'");
  }

  private JsonNode requireObject(byte[] body) {
    JsonNode node = readTree(body);
    if (!node.isObject()) {
      throw new MalformedBodyException("the body must be a JSON object");
    }
    return node;
  }

  private JsonNode readTree(byte[] body) {
    if (body == null || body.length == 0) {
      throw new MalformedBodyException("the body is empty");
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new MalformedBodyException(e.getMessage().split("\n")[0]);
    }
  }

  private static Instant instant(String field, String value) {
    if (value == null) {
      throw new JobValidationException(field, "must be set to an ISO-8601 UTC instant");
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeException e) {
      throw new JobValidationException(
          field, "'" + value + "' is not an ISO-8601 UTC instant such as 2026-12-01T14:00:00Z");
    }
  }
}
