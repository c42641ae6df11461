package dev.zkscheduler.error;

/**
 * A limit on work waiting was reached: the leader has not consumed enough requests (the queue is at
 * its limit), or a job has the most runs in flight a job may have. Try again later.
 */
public class TooManyRequestsException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public TooManyRequestsException(int limit) {
    super("too many pending control requests (limit " + limit + "); is a leader running?");
  }

  /** Refused with {@code message}, saying which limit was reached. */
  public TooManyRequestsException(String message) {
    super(message);
  }
}
