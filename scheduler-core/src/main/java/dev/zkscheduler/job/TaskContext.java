package dev.zkscheduler.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a {@link TaskHandler} knows about the attempt it runs. Thread-safe; valid for the duration
 * of one {@link TaskHandler#execute} call.
 */
public interface TaskContext {

  String jobId();

  String runId();

  String taskId();

  /** 1 for the first attempt. */
  int attempt();

  /** The run's nominal fire instant (for manual runs, the instant it was triggered). */
  Instant nominalTime();

  /**
   * The leader term's fencing token (the epoch). Tokens only grow; an external system that
   * remembers the largest token it has seen can refuse a stale leader's side effects.
   */
  long fencingToken();

  /** The member id of the node running this attempt (the leader that started it). */
  String memberId();

  /** The task's {@code config} from its definition. */
  Map<String, Object> config();

  /** When the attempt times out; the handler is interrupted then. */
  Instant deadline();

  /** True once the run was cancelled, the attempt timed out or this node lost leadership. */
  boolean isCancelled();

  /**
   * Blocks until cancelled or until {@code timeout} passes; returns whether it was cancelled.
   *
   * @throws InterruptedException if the calling thread is interrupted
   */
  boolean awaitCancellation(Duration timeout) throws InterruptedException;
}
