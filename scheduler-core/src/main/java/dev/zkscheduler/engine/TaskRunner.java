package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs task handlers on a bounded pool of named threads and hands each outcome to a consumer on the
 * handler's thread. An attempt can be interrupted (taken back by the leader, or its worker's
 * session ended); its late outcome is then dropped, because the attempt is no longer in flight.
 * Thread-safe.
 */
final class TaskRunner {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  /** Identifies one attempt of one task of one run. */
  record AttemptKey(String jobId, String runId, String taskId, int attempt) {}

  /** What an attempt ended with. {@code error} is null on success. */
  record Outcome(
      AttemptKey key, boolean succeeded, String error, Instant finishedAt, boolean timedOut) {

    Outcome(AttemptKey key, boolean succeeded, String error, Instant finishedAt) {
      this(key, succeeded, error, finishedAt, false);
    }
  }

  private record InFlight(AttemptContext context, Future<?> future) {}

  private final ExecutorService pool;
  private final Clock clock;
  private final Map<AttemptKey, InFlight> inFlight = new ConcurrentHashMap<>();

  TaskRunner(int threads, Clock clock, MetricRegistry metrics) {
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            new ThreadFactoryBuilder()
                .setNameFormat("zk-scheduler-task-%d")
                .setDaemon(true)
                .build());
    this.clock = clock;
    Gauges.replace(metrics, MetricNames.TASKS_RUNNING, inFlight::size);
  }

  /**
   * Calls {@code handler} on a pool thread, unless the attempt is cancelled first; {@code done}
   * gets the outcome, unless the attempt was interrupted meanwhile. An attempt already in flight is
   * not started again.
   *
   * @return whether the attempt was taken (false: it is in flight already)
   */
  boolean start(
      AttemptKey key, TaskHandler handler, AttemptContext context, Consumer<Outcome> done) {
    // Registered before it can run, so that a handler finishing at once still reports. The entry
    // is this call's own, which a late finish of an interrupted one must not remove.
    AtomicReference<InFlight> own = new AtomicReference<>();
    FutureTask<Void> future =
        new FutureTask<>(
            () -> {
              // The handler's lines and the report's name the attempt.
              try (AttemptLogFields ids = AttemptLogFields.of(key, context.memberId())) {
                Outcome outcome = call(key, handler, context);
                if (inFlight.remove(key, own.get())) {
                  done.accept(outcome);
                }
              }
            },
            null);
    own.set(new InFlight(context, future));
    if (inFlight.putIfAbsent(key, own.get()) != null) {
      return false;
    }
    try {
      pool.execute(future);
    } catch (RejectedExecutionException e) {
      inFlight.remove(key, own.get());
      done.accept(new Outcome(key, false, "this node is shutting down", clock.instant()));
    }
    return true;
  }

  private Outcome call(AttemptKey key, TaskHandler handler, AttemptContext context) {
    try {
      if (context.isCancelled() || !context.claimStart()) {
        // Taken back while queued, or this worker's contact with ZooKeeper lapsed: the handler
        // is not called.
        return new Outcome(
            key,
            false,
            "not started: taken back, or this member's contact with ZooKeeper lapsed",
            clock.instant());
      }
      TaskResult result = handler.execute(context);
      if (result != null && result.succeeded()) {
        return new Outcome(key, true, null, clock.instant());
      }
      return new Outcome(
          key,
          false,
          result == null ? "handler returned no result" : message(result.message()),
          clock.instant(),
          result != null && result.timedOut());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(key, false, "interrupted", clock.instant());
    } catch (Exception | Error e) {
      return new Outcome(
          key,
          false,
          bounded(e.getClass().getSimpleName() + ": " + e.getMessage()),
          clock.instant());
    }
  }

  /** The most of a handler's message a run keeps: a run must fit its stored-size budget. */
  static final int MAX_ERROR_CHARS = 2_000;

  private static String message(String message) {
    return bounded(message == null ? "failed" : message);
  }

  /**
   * A handler's message (or its exception's) is the handler's to choose and may be any length; the
   * run that records it must still fit its budget, so it is cut, saying so.
   */
  static String bounded(String message) {
    if (message.length() <= MAX_ERROR_CHARS) {
      return message;
    }
    return message.substring(0, MAX_ERROR_CHARS)
        + "... ("
        + (message.length() - MAX_ERROR_CHARS)
        + " more characters)";
  }

  boolean isRunning(AttemptKey key) {
    return inFlight.containsKey(key);
  }

  /**
   * Stops an attempt: signals its context and interrupts its thread. Its outcome, if it ever comes,
   * is dropped. Returns whether it was in flight.
   */
  boolean interrupt(AttemptKey key) {
    InFlight attempt = inFlight.remove(key);
    if (attempt == null) {
      return false;
    }
    attempt.context().cancel();
    attempt.future().cancel(true);
    return true;
  }

  /** Interrupts every attempt in flight; returns them. */
  List<AttemptKey> interruptAll() {
    List<AttemptKey> all = List.copyOf(inFlight.keySet());
    all.forEach(this::interrupt);
    return all;
  }

  int running() {
    return inFlight.size();
  }

  /** Takes no new attempts; waits up to {@code timeout} for those in flight, then interrupts. */
  void close(Duration timeout) {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        List<AttemptKey> left = interruptAll();
        log.warn(
            "{} task handler(s) still running after {}; interrupted: {}",
            left.size(),
            timeout,
            left);
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      interruptAll();
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
