package dev.zkscheduler.store;

/** A job with that id already exists. */
public class JobExistsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JobExistsException(String jobId) {
    super("job '" + jobId + "' already exists");
  }
}
