package dev.zkscheduler.service.errors;

/** The request body is not JSON of the expected shape (400). */
public class MalformedBodyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MalformedBodyException(String message) {
    super(message);
  }
}
