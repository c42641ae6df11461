package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.job.JobValidationException;
import java.util.List;

/**
 * Every error answer: {@code code} repeats the HTTP status so that a client which logs only the
 * body still knows what happened; {@code errors} is present on 422 only.
 */
@JsonPropertyOrder({"code", "message", "errors"})
public record ErrorDto(
    int code,
    String message,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<FieldErrorDto> errors) {

  @JsonPropertyOrder({"field", "message"})
  public record FieldErrorDto(String field, String message) {}

  public static ErrorDto of(int code, String message) {
    return new ErrorDto(code, message, null);
  }

  public static ErrorDto from(JobValidationException e) {
    return new ErrorDto(
        422,
        "the request is invalid: " + e.errors().size() + " problem(s)",
        e.errors().stream().map(err -> new FieldErrorDto(err.field(), err.message())).toList());
  }
}
