package dev.zkscheduler.store;

/** The leader has not consumed enough requests: the queue is at its limit. Try again later. */
public class TooManyRequestsException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public TooManyRequestsException(int limit) {
    super("too many pending control requests (limit " + limit + "); is a leader running?");
  }
}
