package dev.zkscheduler.engine;

/** No job with that id exists. */
public class NoSuchJobException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NoSuchJobException(String jobId) {
    super("no job '" + jobId + "'");
  }
}
