package dev.zkscheduler.service.tasks;

import dev.zkscheduler.job.TaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A task attempt's context as the engine would give it, with a cancel switch for tests. */
final class FakeContext implements TaskContext {

  private final Map<String, Object> config;
  private final Instant deadline;
  private final CountDownLatch cancelled = new CountDownLatch(1);

  FakeContext(Map<String, Object> config, Duration timeout) {
    this.config = config;
    this.deadline = Instant.now().plus(timeout);
  }

  void cancel() {
    cancelled.countDown();
  }

  @Override
  public String memberId() {
    return "node-7";
  }

  @Override
  public String jobId() {
    return "job-1";
  }

  @Override
  public String runId() {
    return "20260101T000000.000Z";
  }

  @Override
  public String taskId() {
    return "task-1";
  }

  @Override
  public int attempt() {
    return 2;
  }

  @Override
  public Instant nominalTime() {
    return Instant.parse("2026-01-01T00:00:00Z");
  }

  @Override
  public long fencingToken() {
    return 42;
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
