package dev.zkscheduler.error;

/** No job with that id exists. */
public class NoSuchJobException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public NoSuchJobException(String jobId) {
    super("no job '" + jobId + "'");
  }
}
