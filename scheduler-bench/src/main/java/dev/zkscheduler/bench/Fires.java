package dev.zkscheduler.bench;

import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's task handler: records, for every attempt, the nominal fire instant, the instant
 * the handler started and the node — then succeeds at once, so only the scheduler is measured, or
 * (the execution section) after holding its task slot for a fixed time, as a task doing work would.
 */
final class Fires implements TaskHandler {

  record Fire(String job, long nominalMillis, long startMillis, String member) {}

  private final List<Fire> fires = new ArrayList<>();
  private final long workMillis;

  /** The metrics of the scheduler that runs these fires. */
  private final com.codahale.metrics.MetricRegistry metrics =
      new com.codahale.metrics.MetricRegistry();

  com.codahale.metrics.MetricRegistry metrics() {
    return metrics;
  }

  /** Succeeds at once. */
  Fires() {
    this(Duration.ZERO);
  }

  /** Sleeps {@code work} before succeeding: the slot stays busy, the CPU does not. */
  Fires(Duration work) {
    this.workMillis = work.toMillis();
  }

  @Override
  public TaskResult execute(TaskContext ctx) {
    long now = System.currentTimeMillis();
    synchronized (fires) {
      fires.add(new Fire(ctx.jobId(), ctx.nominalTime().toEpochMilli(), now, ctx.memberId()));
    }
    if (workMillis > 0) {
      try {
        Thread.sleep(workMillis);
      } catch (InterruptedException e) {
        // Taken back (or the worker is closing): the attempt did not do its work.
        Thread.currentThread().interrupt();
        return TaskResult.failure("interrupted");
      }
    }
    return TaskResult.success();
  }

  List<Fire> snapshot() {
    synchronized (fires) {
      return new ArrayList<>(fires);
    }
  }

  int size() {
    synchronized (fires) {
      return fires.size();
    }
  }

  /** Fires whose nominal instant is in [from, to). */
  List<Fire> nominalIn(Instant from, Instant to) {
    long a = from.toEpochMilli();
    long b = to.toEpochMilli();
    return snapshot().stream()
        .filter(f -> f.nominalMillis() >= a && f.nominalMillis() < b)
        .toList();
  }
}
