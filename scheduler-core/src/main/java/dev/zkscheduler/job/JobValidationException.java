package dev.zkscheduler.job;

import dev.zkscheduler.error.SchedulerException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A job definition (or part of one) is invalid. Carries every problem found, each naming the field
 * by its JSON path ({@code schedule.cron}, {@code tasks[2].dependsOn}).
 */
public class JobValidationException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  /** One invalid field and why. */
  public record FieldError(String field, String message) {}

  private final List<FieldError> errors;

  public JobValidationException(List<FieldError> errors) {
    super(
        errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public JobValidationException(String field, String message) {
    this(List.of(new FieldError(field, message)));
  }

  public List<FieldError> errors() {
    return errors;
  }
}
