package dev.zkscheduler.error;

/** No run with that id exists for the job. */
public class NoSuchRunException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public NoSuchRunException(String jobId, String runId) {
    super("no run '" + runId + "' of job '" + jobId + "'");
  }
}
