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
   * This attempt's fencing token: fixed when the leader gave the attempt to its worker (the
   * ZooKeeper transaction id of that assignment plus the cluster's fencing floor, {@link
   * dev.zkscheduler.zk.FencingFloor}), larger for every attempt given later, a re-offer of an
   * attempt lost with its member included. Attempts given in one transaction share it. An external
   * system that remembers the largest token it has accepted for a task can refuse the side effects
   * of an attempt that was re-offered meanwhile; compare per task, since attempts of one job that
   * overlap arrive in any order.
   */
  long fencingToken();

  /** The member id of the node running this attempt (its worker). */
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
