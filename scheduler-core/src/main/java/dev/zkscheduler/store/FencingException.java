package dev.zkscheduler.store;

/**
 * A scheduler-state write was refused because its writer no longer holds the current leader term:
 * ZooKeeper found the writer's latch node gone or the epoch moved on. This is not a data conflict:
 * the writer must stop acting as leader and never retry the write.
 */
public class FencingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long epoch;

  public FencingException(long epoch, String message) {
    super(message);
    this.epoch = epoch;
  }

  public FencingException(long epoch, String message, Throwable cause) {
    super(message, cause);
    this.epoch = epoch;
  }

  /** The epoch of the term whose write was refused. */
  public long epoch() {
    return epoch;
  }
}
