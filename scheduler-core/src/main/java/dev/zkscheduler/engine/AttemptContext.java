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

  AttemptContext(
      String jobId,
      String runId,
      String taskId,
      int attempt,
      Instant nominalTime,
      long fencingToken,
      String memberId,
      Map<String, Object> config,
      Instant deadline) {
    this.jobId = jobId;
    this.runId = runId;
    this.taskId = taskId;
    this.attempt = attempt;
    this.nominalTime = nominalTime;
    this.fencingToken = fencingToken;
    this.memberId = memberId;
    this.config = config;
    this.deadline = deadline;
  }

  void cancel() {
    cancelled.countDown();
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
    return cancelled.getCount() == 0;
  }

  @Override
  public boolean awaitCancellation(Duration timeout) throws InterruptedException {
    return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
