package dev.zkscheduler.error;

/** A job with that id already exists. */
public class JobExistsException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public JobExistsException(String jobId) {
    super("job '" + jobId + "' already exists");
  }
}
