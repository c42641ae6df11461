package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.SchedulerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's worker: it runs the attempts the leader assigns to it and reports how each ended. An
 * attempt lives on this worker's session, not on any leader's term: a leader change, or a
 * connection blip this session survives, changes nothing here. Only when the session is over does
 * every attempt stop (the leader offers them again), and when the leader takes one back it stops.
 *
 * <p>Each assignment is started at most once: the runner refuses a second start of an attempt in
 * flight, and an assignment's name (with its attempt number) is never written twice for one worker
 * session. Thread-safe.
 */
final class Worker implements WorkerSeat.Listener {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long a report is retried while ZooKeeper cannot be reached and the session lives. */
  private static final long REPORT_RETRY_MILLIS = 200;

  private final WorkerSeat seat;
  private final SchedulerStore store;
  private final Map<String, TaskHandler> handlers;
  private final TaskRunner runner;
  private final String memberId;
  private final Clock clock;
  private final EngineMetrics metrics;
  private final Lease lease;
  private final LocalHandOff handed;
  private volatile boolean closing;

  /** Reports being written (see {@link #report}). */
  private final java.util.concurrent.atomic.AtomicInteger reporting =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Where an assignment's run is read and its handler started (not the seat's event thread), a few
   * at once.
   */
  private final java.util.concurrent.ExecutorService preparing;

  /**
   * The assignments this worker has taken (by worker and key), so that none is started twice
   * whatever its cache reports again; an assignment's name is never written twice, so entries go
   * when it is taken back or the session ends.
   */
  private final java.util.Set<String> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The highest fencing token handed to a handler: what a restore must raise the floor past. */
  private final java.util.concurrent.atomic.AtomicLong highestToken =
      new java.util.concurrent.atomic.AtomicLong();

  Worker(
      WorkerSeat seat,
      SchedulerStore store,
      Map<String, TaskHandler> handlers,
      TaskRunner runner,
      String memberId,
      Clock clock,
      EngineMetrics metrics,
      Lease lease,
      LocalHandOff handed) {
    this(
        seat,
        store,
        handlers,
        runner,
        memberId,
        clock,
        metrics,
        lease,
        handed,
        java.util.concurrent.Executors.newFixedThreadPool(
            PREPARING_THREADS,
            new com.google.common.util.concurrent.ThreadFactoryBuilder()
                .setNameFormat("zk-scheduler-worker-start-%d")
                .setDaemon(true)
                .build()));
  }

  /**
   * Attempts whose run is read at once. Each read is a ZooKeeper round trip (1–3 ms on a loaded
   * ensemble); one at a time they capped a worker at a few hundred starts a second and queued the
   * rest behind each other, which showed as seconds of fire lag in scheduler-bench.
   */
  private static final int PREPARING_THREADS = 4;

  /** With {@code preparing} of the caller's: tests start attempts on the committing thread. */
  Worker(
      WorkerSeat seat,
      SchedulerStore store,
      Map<String, TaskHandler> handlers,
      TaskRunner runner,
      String memberId,
      Clock clock,
      EngineMetrics metrics,
      Lease lease,
      LocalHandOff handed,
      java.util.concurrent.ExecutorService preparing) {
    this.preparing = preparing;
    this.handed = handed;
    this.seat = seat;
    this.store = store;
    this.handlers = Map.copyOf(handlers);
    this.runner = runner;
    this.memberId = memberId;
    this.clock = clock;
    this.metrics = metrics;
    this.lease = lease;
    Gauges.replace(metrics.registry(), MetricNames.WORKER_FENCING_TOKEN_MAX, highestToken::get);
  }

  void open(int capacity) throws Exception {
    seat.open(capacity, handlers.keySet(), this);
  }

  @Override
  public void assigned(AssignedAttempt attempt) {
    Assignment a = attempt.assignment();
    if (!taken.add(a.worker() + "/" + a.key())) {
      return;
    }
    // Off the seat's event thread: reading the run blocks, and a session's end or a revocation
    // must not wait behind it.
    try {
      preparing.execute(() -> prepareAndStart(attempt));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      taken.remove(a.worker() + "/" + a.key());
    }
  }

  private void prepareAndStart(AssignedAttempt attempt) {
    try (AttemptLogFields ids = AttemptLogFields.of(attempt.assignment())) {
      prepareAndStartLogged(attempt);
    }
  }

  private void prepareAndStartLogged(AssignedAttempt attempt) {
    Assignment a = attempt.assignment();
    TaskRunner.AttemptKey key = key(a);
    Run run = handed.take(a);
    if (run == null) {
      Optional<Versioned<Run>> stored = readRun(a);
      if (stored == null) {
        return; // the session ended or the attempt was taken back while ZooKeeper was unreachable
      }
      run = stored.map(Versioned::value).orElse(null);
    }
    TaskRun task = run == null ? null : run.tasks().get(a.taskId());
    if (!a.matches(task)) {
      // The run no longer shows this attempt running here: the leader is taking it back.
      log.debug("assignment {} is not its run's current attempt; not started", a);
      return;
    }
    Task what;
    try {
      what = task(run, a.taskId());
    } catch (RuntimeException e) {
      report(
          a,
          AttemptReport.failure("cannot find the task: " + e.getMessage(), clock.instant(), false));
      return;
    }
    TaskHandler handler = handlers.get(what.type());
    if (handler == null) {
      report(
          a,
          AttemptReport.failure(
              "no handler for task type '" + what.type() + "' on " + memberId,
              clock.instant(),
              false));
      return;
    }
    Instant runStart = run.startedAt() != null ? run.startedAt() : run.createdAt();
    // The leader's clock, as the leader times attempts out: a first attempt started when its task
    // did; a later one about now (ZooKeeper's own clock, in the assignment, may differ).
    Instant attemptStart =
        a.attempt() == 1 && task.startedAt() != null ? task.startedAt() : clock.instant();
    Instant deadline = min(attemptStart.plus(what.timeout()), runStart.plus(what.runTimeout()));
    AttemptContext context =
        new AttemptContext(
            a.jobId(),
            a.runId(),
            a.taskId(),
            a.attempt(),
            run.nominalTime(),
            attempt.fencingToken(),
            memberId,
            frozen(what.config()),
            deadline,
            lease);
    if (!a.worker().equals(seat.name())) {
      // The session ended after the seat told the assignment (the seat's check and the telling
      // are not one step): the leader counts the attempt lost and offers it again.
      log.info("assignment {} belongs to a session that is over; not started", a);
      taken.remove(a.worker() + "/" + a.key());
      return;
    }
    if (!taken.contains(a.worker() + "/" + a.key())) {
      // Taken back while it waited to start (the run it started from may predate that).
      log.debug("assignment {} was taken back before it started; not started", a);
      return;
    }
    // Lag is the promptness of fires that were due now; a backfill or catch-up run's nominal
    // time is in the past by design and would swamp the histogram.
    if (run.trigger() == RunTrigger.SCHEDULE
        && a.attempt() == 1
        && task.startedAt() != null
        && task.startedAt().equals(run.startedAt())) {
      metrics.fireLag(Duration.between(run.nominalTime(), clock.instant()));
    }
    highestToken.accumulateAndGet(attempt.fencingToken(), Math::max);
    log.debug("starting attempt {} with fencing token {}", a, attempt.fencingToken());
    runner.start(key, handler, context, outcome -> report(a, toReport(outcome)));
    if (!taken.contains(a.worker() + "/" + a.key())) {
      // Taken back, or the session ended, since the check above: the interruption found nothing
      // to stop then, so it is stopped now (unreported: the leader no longer waits for it).
      runner.interrupt(key);
    }
  }

  @Override
  public void revoked(Assignment assignment) {
    taken.remove(assignment.worker() + "/" + assignment.key());
    handed.take(assignment);
    try (AttemptLogFields ids = AttemptLogFields.of(assignment)) {
      if (runner.interrupt(key(assignment))) {
        log.info("attempt {} taken back by the leader: interrupted", assignment);
      }
    }
  }

  @Override
  public void sessionLost() {
    taken.clear();
    handed.clear();
    var stopped = runner.interruptAll();
    if (!stopped.isEmpty()) {
      log.warn(
          "{} attempt(s) interrupted: this worker's session is over and the leader offers them"
              + " again: {}",
          stopped.size(),
          stopped);
    }
  }

  /**
   * The attempt's run, read again while ZooKeeper is unreachable; null once retrying is pointless
   * (the session ended, the attempt was taken back, the worker is closing). A read that fails is
   * not the attempt's failure: nothing ran.
   */
  private Optional<Versioned<Run>> readRun(Assignment a) {
    while (true) {
      try {
        return store.run(a.jobId(), a.runId());
      } catch (RuntimeException e) {
        if (!a.worker().equals(seat.name())
            || !taken.contains(a.worker() + "/" + a.key())
            || closing) {
          return null;
        }
        log.debug("reading the run of {} failed, trying again: {}", a, e.toString());
        try {
          TimeUnit.MILLISECONDS.sleep(REPORT_RETRY_MILLIS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    }
  }

  /**
   * Writes the report, retrying while ZooKeeper is unreachable and this session may live. Counted
   * in {@link #reporting} meanwhile: the runner no longer counts the attempt, and a graceful
   * shutdown must not leave (which refuses the report) while it is being written.
   */
  private void report(Assignment a, AttemptReport report) {
    reporting.incrementAndGet();
    try {
      reportUntilAnswered(a, report);
    } finally {
      reporting.decrementAndGet();
    }
  }

  private void reportUntilAnswered(Assignment a, AttemptReport report) {
    while (true) {
      try {
        if (seat.report(a, report)) {
          handed.reported(a, report);
        } else {
          log.info("the report of {} was not written: taken back, or the session ended", a);
        }
        return;
      } catch (RuntimeException e) {
        if (!(e instanceof StoreUnavailableException)) {
          log.error("the report of {} failed; the leader times the attempt out: {}", a, e, e);
          return;
        }
        if (!a.worker().equals(seat.name())
            || (closing && Thread.currentThread().isInterrupted())) {
          log.warn("the report of {} is lost with its session: {}", a, e.getMessage());
          return;
        }
        try {
          TimeUnit.MILLISECONDS.sleep(REPORT_RETRY_MILLIS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static AttemptReport toReport(TaskRunner.Outcome outcome) {
    return outcome.succeeded()
        ? AttemptReport.success(outcome.finishedAt())
        : AttemptReport.failure(outcome.error(), outcome.finishedAt(), outcome.timedOut());
  }

  /**
   * Graceful shutdown: takes no new attempts, lets running handlers finish and report within {@code
   * timeout} (those left are interrupted, unreported: the leader offers them again), then leaves. A
   * report still being written (ZooKeeper slow or unreachable) holds the leaving back too: leaving
   * first would refuse it, and the leader would run the attempt again.
   */
  void close(Duration timeout) {
    closing = true;
    seat.drain();
    // Attempts the leader gave this worker before it saw the draining flag still arrive for a
    // moment: they run too, rather than being refused (a failed attempt) or left unseen (lost).
    long end = System.nanoTime() + timeout.toNanos();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < end) {
      if (runner.running() > 0 || reporting.get() > 0) {
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= DRAIN_QUIET.toNanos()) {
        break;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // The seat leaves first: nothing more is assigned or started, and what is still running is
    // interrupted below, unreported, for the leader to offer again.
    seat.close();
    preparing.shutdownNow();
    runner.close(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
  }

  /** How long a draining worker must see nothing running before it leaves. */
  private static final Duration DRAIN_QUIET = Duration.ofMillis(500);

  int running() {
    return runner.running();
  }

  /** What the worker needs of a task: from the run's own DAG, or (older runs) its job. */
  private record Task(
      String type, Map<String, Object> config, Duration timeout, Duration runTimeout) {}

  private Task task(Run run, String taskId) {
    if (run.dag() != null) {
      PinnedDag.Task t = run.dag().tasks().get(taskId);
      if (t == null) {
        throw new IllegalStateException("the run's DAG has no task '" + taskId + "'");
      }
      return new Task(t.type(), t.config(), t.timeout(), run.dag().runTimeout());
    }
    JobDefinition job =
        store
            .job(run.jobId())
            .map(Versioned::value)
            .orElseThrow(() -> new IllegalStateException("job '" + run.jobId() + "' is gone"));
    TaskDefinition t =
        job.tasks().stream()
            .filter(d -> d.id().equals(taskId))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("job '" + run.jobId() + "' has no task " + taskId));
    return new Task(t.type(), t.config(), job.timeoutOf(t), job.timeout());
  }

  /**
   * A copy of a task's config that no handler can change, nested maps and lists included: on the
   * leader's node the run may be the leader's own object (see {@link LocalHandOff}), and a handler
   * must not reach into it.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> frozen(Map<String, Object> config) {
    return (Map<String, Object>) frozenValue(config);
  }

  private static Object frozenValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, frozenValue(v)));
      return java.util.Collections.unmodifiableMap(copy);
    }
    if (value instanceof java.util.List<?> list) {
      java.util.List<Object> copy = new java.util.ArrayList<>(list.size());
      list.forEach(v -> copy.add(frozenValue(v)));
      return java.util.Collections.unmodifiableList(copy);
    }
    return value;
  }

  private static TaskRunner.AttemptKey key(Assignment a) {
    return new TaskRunner.AttemptKey(a.jobId(), a.runId(), a.taskId(), a.attempt());
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
