package dev.zkscheduler.job;

/**
 * Runs one attempt of a task. Handlers are registered by task {@code type} and called on the
 * scheduler's executor threads, possibly concurrently for different runs.
 *
 * <p>A handler should return promptly once {@link TaskContext#isCancelled()} turns true or its
 * thread is interrupted; the scheduler records CANCELLED or TIMED_OUT regardless of whether it
 * does. A thrown exception is a failed attempt with the exception's message. The body may run more
 * than once for one task if a leader dies mid-attempt (at-least-once); use {@link
 * TaskContext#fencingToken()} and the ids in the context to make side effects idempotent.
 */
@FunctionalInterface
public interface TaskHandler {

  TaskResult execute(TaskContext context) throws Exception;

  /**
   * Checks a task's {@code config} when a job is defined, so bad config is refused up front rather
   * than failing at the first fire. Throws {@link JobValidationException} naming the field. The
   * default accepts anything.
   */
  default void validateConfig(String fieldPrefix, java.util.Map<String, Object> config) {}
}
