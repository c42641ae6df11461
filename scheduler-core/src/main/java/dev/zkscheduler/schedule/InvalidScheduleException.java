package dev.zkscheduler.schedule;

import dev.zkscheduler.error.SchedulerException;

/**
 * A schedule was refused. {@link #field()} names the offending part relative to the schedule object
 * ({@code cron}, {@code timeZone}, {@code interval}, {@code startAt}, {@code at}, {@code count});
 * callers that validate a whole job prefix it with {@code schedule.}.
 */
public class InvalidScheduleException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidScheduleException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public InvalidScheduleException(String field, String message, Throwable cause) {
    super(field + ": " + message, cause);
    this.field = field;
  }

  public String field() {
    return field;
  }

  /** The message without the field prefix. */
  public String reason() {
    return getMessage().substring(field.length() + 2);
  }
}
