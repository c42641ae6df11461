package dev.zkscheduler.error;

/**
 * The base of everything the scheduler's facade throws on purpose: bad input (a job that does not
 * validate, a schedule that cannot fire, a cycle), conflicts (the job exists, a stale version),
 * missing jobs and runs, records too large for ZooKeeper, too many pending requests, and a store
 * that cannot be reached. An embedder can catch this one type; the subtypes say which it was.
 *
 * <p>Unchecked. Not thrown for the engine's own internal stops ({@code FencingException}, which the
 * engine handles by ending its term) nor for programming errors ({@code
 * IllegalArgumentException}/{@code IllegalStateException} from preconditions).
 */
public class SchedulerException extends RuntimeException {

  public SchedulerException(String message) {
    super(message);
  }

  public SchedulerException(String message, Throwable cause) {
    super(message, cause);
  }
}
