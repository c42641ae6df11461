package dev.zkscheduler.service.errors;

/** The request's {@code If-Match} does not name the stored version (412). */
public class IfMatchFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public IfMatchFailedException(String message) {
    super(message);
  }
}
