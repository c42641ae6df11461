package dev.zkscheduler.error;

/** An optimistic write expected a version that is not the stored one (or no record exists). */
public class VersionConflictException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public VersionConflictException(String message) {
    super(message);
  }
}
