package dev.zkscheduler.error;

/** The leader has not consumed enough requests: the queue is at its limit. Try again later. */
public class TooManyRequestsException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public TooManyRequestsException(int limit) {
    super("too many pending control requests (limit " + limit + "); is a leader running?");
  }
}
