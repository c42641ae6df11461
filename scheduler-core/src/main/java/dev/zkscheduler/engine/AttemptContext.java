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

  private final java.util.concurrent.atomic.AtomicBoolean started =
      new java.util.concurrent.atomic.AtomicBoolean();

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

  /** Called on the task thread just before the handler; true once only. */
  boolean claimStart() {
    return started.compareAndSet(false, true);
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
