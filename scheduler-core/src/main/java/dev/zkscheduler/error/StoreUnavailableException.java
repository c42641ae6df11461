package dev.zkscheduler.error;

/**
 * ZooKeeper could not be reached (connection loss or session expiry outlasting Curator's retries),
 * so the outcome of the operation is unknown: a write may or may not have committed. Callers
 * re-read before acting again; writes are idempotent by construction (deterministic names,
 * versions).
 */
public class StoreUnavailableException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
