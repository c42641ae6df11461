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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs task handlers on a bounded pool of named threads and hands their outcomes back to the tick
 * thread through a queue, so that every state change is made (and fenced) by the tick thread alone.
 * An attempt can be interrupted (cancel, timeout, term loss); its late outcome is then dropped,
 * because the attempt is no longer in flight. Thread-safe.
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

  private record InFlight(
      AttemptContext context, TaskHandler handler, Future<?> future, Instant deadline) {}

  /** An attempt whose start was held back when its term ended (see {@link #suspend}). */
  private record Held(AttemptContext context, TaskHandler handler) {}

  private final ExecutorService pool;
  private final Clock clock;
  private final Map<AttemptKey, InFlight> inFlight = new ConcurrentHashMap<>();
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final Map<AttemptKey, Held> held = new ConcurrentHashMap<>();
  private final Runnable wakeUp;

  TaskRunner(int threads, Clock clock, MetricRegistry metrics, Runnable wakeUp, Lease lease) {
    this.lease = lease;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            new ThreadFactoryBuilder()
                .setNameFormat("zk-scheduler-task-%d")
                .setDaemon(true)
                .build());
    this.clock = clock;
    this.wakeUp = wakeUp;
    Gauges.replace(metrics, MetricNames.TASKS_RUNNING, inFlight::size);
  }

  /** The leader's lease: renewed by the tick loop, checked before every handler call. */
  Lease lease() {
    return lease;
  }

  private final Lease lease;

  void start(AttemptKey key, TaskHandler handler, AttemptContext context) {
    // Registered before it can run, so that a handler finishing at once still reports its outcome.
    // The entry is this call's own: an attempt held and queued again registers a new one under the
    // same key, which a late finish of the old task must not remove.
    java.util.concurrent.atomic.AtomicReference<InFlight> own =
        new java.util.concurrent.atomic.AtomicReference<>();
    FutureTask<Void> future =
        new FutureTask<>(
            () -> {
              Outcome outcome;
              try {
                if (context.isCancelled() || !context.claimStart()) {
                  // Cancelled while queued, the lease lapsed (the leader froze after recording
                  // the start), or the term that recorded it ended: the handler is not called; the
                  // next leader re-offers the attempt.
                  throw new NotStartedException();
                }
                TaskResult result = handler.execute(context);
                outcome =
                    result != null && result.succeeded()
                        ? new Outcome(key, true, null, clock.instant())
                        : new Outcome(
                            key,
                            false,
                            result == null
                                ? "handler returned no result"
                                : message(result.message()),
                            clock.instant(),
                            result != null && result.timedOut());
              } catch (NotStartedException e) {
                outcome =
                    new Outcome(
                        key,
                        false,
                        "not started: cancelled, its term ended, or this leader's contact with ZooKeeper lapsed",
                        clock.instant());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = new Outcome(key, false, "interrupted", clock.instant());
              } catch (Exception | Error e) {
                outcome =
                    new Outcome(
                        key,
                        false,
                        bounded(e.getClass().getSimpleName() + ": " + e.getMessage()),
                        clock.instant());
              }
              if (inFlight.remove(key, own.get())) {
                outcomes.add(outcome);
                wakeUp.run();
              }
            },
            null);
    own.set(new InFlight(context, handler, future, context.deadline()));
    inFlight.put(key, own.get());
    try {
      pool.execute(future);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inFlight.remove(key, own.get());
      outcomes.add(new Outcome(key, false, "this node is shutting down", clock.instant()));
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

  /**
   * Puts back outcomes taken by {@link #drain} whose recording was not written (the work that took
   * them was dropped): the next work of this node records them, instead of counting the attempts
   * lost.
   */
  void putBack(List<Outcome> unwritten) {
    outcomes.addAll(unwritten);
  }

  /** Outcomes reported since the last call. */
  List<Outcome> drain() {
    List<Outcome> drained = new ArrayList<>();
    Outcome next;
    while ((next = outcomes.poll()) != null) {
      drained.add(next);
    }
    return drained;
  }

  /** Attempts whose deadline has passed. */
  List<AttemptKey> overdue(Instant now) {
    List<AttemptKey> overdue = new ArrayList<>();
    inFlight.forEach(
        (key, attempt) -> {
          if (!attempt.deadline().isAfter(now)) {
            overdue.add(key);
          }
        });
    return overdue;
  }

  boolean isRunning(AttemptKey key) {
    return inFlight.containsKey(key);
  }

  /**
   * Whether this node still answers for the attempt: running or queued, held back by {@link
   * #suspend}, or finished with its outcome not yet drained. Such an attempt is not lost.
   */
  boolean holds(AttemptKey key) {
    return inFlight.containsKey(key)
        || held.containsKey(key)
        || outcomes.stream().anyMatch(o -> o.key().equals(key));
  }

  /**
   * On the end of a term whose successor may be this node's own (a connection blip: SUSPENDED ended
   * it, the session lives): running handlers go on and their outcomes are kept; attempts still
   * queued are held back, not started, until {@link #resume} (the next term is this node's and
   * directly follows the ended one: no other leader can have offered them again) or {@link
   * #abandonAll} (another leader came in between). Returns the attempts held back.
   */
  List<AttemptKey> suspend() {
    List<AttemptKey> heldBack = new ArrayList<>();
    for (Map.Entry<AttemptKey, InFlight> e : List.copyOf(inFlight.entrySet())) {
      InFlight attempt = e.getValue();
      if (attempt.context().refuseStart() && inFlight.remove(e.getKey(), attempt)) {
        attempt.future().cancel(false);
        held.put(e.getKey(), new Held(attempt.context(), attempt.handler()));
        heldBack.add(e.getKey());
      }
    }
    return heldBack;
  }

  /** Keeps an attempt whose start was written but not called when its term's work was dropped. */
  void hold(AttemptKey key, TaskHandler handler, AttemptContext context) {
    held.put(key, new Held(context, handler));
  }

  /**
   * Starts the attempts held back ({@link #suspend}, {@link #hold}) whose start the store shows
   * ({@code recorded}); the others are dropped, never started. Returns those started.
   */
  List<AttemptKey> resume(java.util.function.Predicate<AttemptKey> recorded) {
    List<AttemptKey> resumed = new ArrayList<>();
    for (AttemptKey key : List.copyOf(held.keySet())) {
      Held h = held.remove(key);
      if (h != null && recorded.test(key)) {
        start(key, h.handler(), h.context().requeued());
        resumed.add(key);
      }
    }
    return resumed;
  }

  /**
   * Stops an attempt: signals its context and interrupts its thread. Its outcome, if it ever comes,
   * is dropped. Returns whether it was in flight.
   */
  boolean interrupt(AttemptKey key) {
    held.remove(key);
    InFlight attempt = inFlight.remove(key);
    if (attempt == null) {
      return false;
    }
    attempt.context().cancel();
    attempt.future().cancel(true);
    return true;
  }

  /** Interrupts every attempt of a run. */
  void interruptRun(String jobId, String runId) {
    held.keySet().removeIf(key -> key.jobId().equals(jobId) && key.runId().equals(runId));
    for (AttemptKey key : List.copyOf(inFlight.keySet())) {
      if (key.jobId().equals(jobId) && key.runId().equals(runId)) {
        interrupt(key);
      }
    }
  }

  /**
   * On term loss. Under CANCEL every attempt is interrupted. Under FINISH running handlers are let
   * finish and forgotten, but queued ones never start: the next leader counts them lost and offers
   * them again, so starting them would run them twice, after this node stopped leading. Returns the
   * attempts refused their start that way.
   */
  List<AttemptKey> abandonAll(boolean interrupt) {
    List<AttemptKey> notStarted = new ArrayList<>(held.keySet());
    held.clear();
    for (AttemptKey key : List.copyOf(inFlight.keySet())) {
      if (interrupt) {
        interrupt(key);
        continue;
      }
      InFlight attempt = inFlight.remove(key);
      if (attempt != null && attempt.context().refuseStart()) {
        // Frees its place in the queue at once; it would only report a start it never made.
        attempt.future().cancel(false);
        notStarted.add(key);
      }
    }
    outcomes.clear();
    return notStarted;
  }

  int running() {
    return inFlight.size();
  }

  void close(Duration timeout, boolean interrupt) {
    // Under FINISH too, attempts still queued never start: their outcomes could not be recorded
    // once this node is gone, so the next leader would count them lost and run them again.
    abandonAll(interrupt);
    pool.shutdown();
    try {
      if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("task handlers still running after {}; interrupting them", timeout);
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static final class NotStartedException extends Exception {
    private static final long serialVersionUID = 1L;

    NotStartedException() {
      super(null, null, false, false);
    }
  }
}
