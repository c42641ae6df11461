package dev.zkscheduler.engine;

import dev.zkscheduler.job.TaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The {@link TaskContext} of one attempt; cancellation is a latch any thread may trip. */
final class AttemptContext implements TaskContext {

  private final String jobId;
  private final String runId;
  private final String taskId;
  private final int attempt;
  private final Instant nominalTime;
  private final long fencingToken;
  private final String memberId;
  private final Map<String, Object> config;
  private final Instant deadline;
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final Lease lease;

  // Not the lease: it is renewed by whichever term this node leads next, so it cannot tell an
  // attempt of an ended term from one of the current term.
  private final java.util.concurrent.atomic.AtomicInteger start =
      new java.util.concurrent.atomic.AtomicInteger(QUEUED);

  private static final int QUEUED = 0;
  private static final int STARTED = 1;
  private static final int REFUSED = 2;

  AttemptContext(
      String jobId,
      String runId,
      String taskId,
      int attempt,
      Instant nominalTime,
      long fencingToken,
      String memberId,
      Map<String, Object> config,
      Instant deadline,
      Lease lease) {
    this.jobId = jobId;
    this.runId = runId;
    this.taskId = taskId;
    this.attempt = attempt;
    this.nominalTime = nominalTime;
    this.fencingToken = fencingToken;
    this.memberId = memberId;
    this.config = config;
    this.deadline = deadline;
    this.lease = lease;
  }

  void cancel() {
    cancelled.countDown();
  }

  /** The same attempt, not started yet: to queue it again after its start was refused. */
  AttemptContext requeued() {
    return new AttemptContext(
        jobId,
        runId,
        taskId,
        attempt,
        nominalTime,
        fencingToken,
        memberId,
        config,
        deadline,
        lease);
  }

  /**
   * Called on the task thread just before the handler; false if {@link #refuseStart} came first.
   * One atomic step, so a handler never begins after its term ended.
   */
  boolean claimStart() {
    return start.compareAndSet(QUEUED, STARTED);
  }

  /**
   * The term that recorded this attempt ended: if its handler has not begun it never will. Not a
   * cancellation, so a handler already running under FINISH is left to finish. Returns whether the
   * start was refused.
   */
  boolean refuseStart() {
    return start.compareAndSet(QUEUED, REFUSED);
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public String jobId() {
    return jobId;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Instant nominalTime() {
    return nominalTime;
  }

  @Override
  public long fencingToken() {
    return fencingToken;
  }

  @Override
  public Map<String, Object> config() {
    return config;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public boolean isCancelled() {
    return cancelled.getCount() == 0 || !lease.valid();
  }

  @Override
  public boolean awaitCancellation(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (isCancelled()) {
        return true;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      // In slices, so that a lapsed lease is noticed as well as an explicit cancel.
      if (cancelled.await(Math.min(left, SLICE_NANOS), TimeUnit.NANOSECONDS)) {
        return true;
      }
    }
  }

  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
}
