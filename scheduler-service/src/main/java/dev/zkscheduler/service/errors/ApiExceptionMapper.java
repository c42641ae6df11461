package dev.zkscheduler.service.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.NoSuchJobException;
import dev.zkscheduler.error.NoSuchRunException;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.error.TooManyRequestsException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.schedule.InvalidScheduleException;
import dev.zkscheduler.service.api.ErrorDto;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error of the API as the JSON body of docs/api.md, {@code {"code", "message"[, "errors"]}}.
 * Unexpected failures are logged with an id that the 500 body repeats, and never leak internals.
 */
public final class ApiExceptionMapper implements ExceptionMapper<Throwable> {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionMapper.class);

  @Override
  public Response toResponse(Throwable e) {
    if (e instanceof JobValidationException v) {
      return Response.status(422)
          .type(MediaType.APPLICATION_JSON_TYPE)
          .entity(ErrorDto.from(v))
          .build();
    }
    if (e instanceof InvalidScheduleException s) {
      return Response.status(422)
          .type(MediaType.APPLICATION_JSON_TYPE)
          .entity(ErrorDto.from(new JobValidationException(s.field(), s.reason())))
          .build();
    }
    if (e instanceof MalformedBodyException || e instanceof JsonProcessingException) {
      return error(400, "malformed JSON: " + e.getMessage());
    }
    if (e instanceof JobExistsException) {
      return error(409, e.getMessage());
    }
    if (e instanceof IfMatchFailedException) {
      return error(412, e.getMessage());
    }
    if (e instanceof VersionConflictException) {
      return error(409, e.getMessage());
    }
    if (e instanceof NoSuchJobException || e instanceof NoSuchRunException) {
      return error(404, e.getMessage());
    }
    if (e instanceof RecordTooLargeException) {
      return error(413, e.getMessage());
    }
    if (e instanceof TooManyRequestsException) {
      return error(429, e.getMessage());
    }
    if (e instanceof StoreUnavailableException) {
      log.warn("ZooKeeper unavailable: {}", e.getMessage());
      return error(503, "ZooKeeper is unavailable; try again");
    }
    if (e instanceof WebApplicationException w) {
      int status = w.getResponse().getStatus();
      String message =
          status == 404 ? "not found" : status == 405 ? "method not allowed" : w.getMessage();
      if (status >= 500) {
        log.error("request failed", e);
      }
      return error(status, message);
    }
    String id = UUID.randomUUID().toString();
    log.error("unexpected error {}", id, e);
    return error(500, "internal error " + id + " (see the service log)");
  }

  private Response error(int status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(ErrorDto.of(status, message))
        .build();
  }
}
