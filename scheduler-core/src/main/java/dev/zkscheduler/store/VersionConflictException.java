package dev.zkscheduler.store;

/** An optimistic write expected a version that is not the stored one (or no record exists). */
public class VersionConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public VersionConflictException(String message) {
    super(message);
  }
}
