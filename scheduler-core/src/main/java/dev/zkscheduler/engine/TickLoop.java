package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.FencingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one periodic loop of a scheduling node, and the one place that decides whether leader work
 * runs (docs/design.md, G8): every tick first asks {@link Leadership#currentTerm()}. A follower's
 * tick does nothing but say so at DEBUG. The timer is never torn down on demotion, so work resumes
 * when leadership returns. A term's work is rebuilt from the store when a term starts, and dropped
 * when the term ends, on a fencing refusal (the term is ended) and when the leader's view went
 * stale (rebuilt next tick). Attempts do not live on a term: they run on workers and are settled by
 * whichever term reads their reports, so dropping a term's work loses none.
 *
 * <p>Thread: one daemon thread, {@code zk-scheduler-tick}. Start once; {@link #close()} is
 * idempotent and waits for the running tick.
 */
final class TickLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TickLoop.class);

  private final Leadership leadership;
  private final Clock clock;
  private final EngineSettings settings;
  private final Function<LeaderTerm, TermWork> newWork;
  private final ScheduledExecutorService executor;
  private final Queue<TermWork.DefinitionChange> changes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeUpPending = new AtomicBoolean();

  /** Whether the next tick must do the periodic chores (a request was submitted). */
  private final AtomicBoolean choresPending = new AtomicBoolean();

  private final AtomicReference<Instant> lastTick = new AtomicReference<>();
  private final Timer tickTimer;
  private final Lifecycle lifecycle = new Lifecycle("TickLoop");
  private volatile TermWork work;
  private volatile int activeRuns;
  private volatile int assigned;
  private volatile int queued;

  TickLoop(
      Leadership leadership,
      Clock clock,
      EngineSettings settings,
      MetricRegistry metrics,
      Function<LeaderTerm, TermWork> newWork) {
    this.leadership = leadership;
    this.clock = clock;
    this.settings = settings;
    this.newWork = newWork;
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder().setNameFormat("zk-scheduler-tick").setDaemon(true).build());
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.tickTimer = metrics.timer(MetricNames.TICK);
    Gauges.replace(metrics, MetricNames.RUNS_ACTIVE, () -> activeRuns);
    // The store has no index of runs in flight to count (they are listed in their jobs' schedule
    // states): the leader holds every one of them, so its count is the store's.
    Gauges.replace(metrics, MetricNames.STORE_ACTIVE_RUNS, () -> (long) activeRuns);
    Gauges.replace(metrics, MetricNames.TASKS_ASSIGNED, () -> assigned);
    Gauges.replace(metrics, MetricNames.TASKS_QUEUED, () -> queued);
    Gauges.replace(
        metrics,
        MetricNames.TICK_AGE,
        () -> {
          Instant last = lastTick.get();
          return last == null ? -1L : Duration.between(last, clock.instant()).toMillis();
        });
  }

  void start() {
    lifecycle.start();
    executor.scheduleWithFixedDelay(
        () -> tickSafely(true), 0, settings.tickInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a whole tick soon, its chores included (a control request was submitted). */
  void wakeUp() {
    choresPending.set(true);
    settleSoon();
  }

  /**
   * Asks for a tick soon that settles outcomes, fires and starts work but leaves the chores
   * (control requests, pruning, tidying, the pass over every active run for timeouts and due
   * retries) to the timed ticks: workers' reports wake the loop hundreds of times a second under
   * load, and those ticks must stay short. Coalesced.
   */
  void settleSoon() {
    if (!lifecycle.isStarted()) {
      return; // a worker-only node never ticks; a scheduler ticks once started
    }
    if (wakeUpPending.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              wakeUpPending.set(false);
              tickSafely(choresPending.getAndSet(false));
            });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        wakeUpPending.set(false);
      }
    }
  }

  void definitionChanged(TermWork.DefinitionChange change) {
    if (!lifecycle.isStarted()) {
      // A worker-only node never ticks, and a term's first tick rebuilds from the store after
      // clearing what was queued before it: kept here, the changes would only pile up.
      return;
    }
    changes.add(change);
    settleSoon();
  }

  /** Definition changes waiting for the next tick; for tests. */
  int pendingChanges() {
    return changes.size();
  }

  /** The instant of the last tick, leader or follower (for the loop-alive health check). */
  Optional<Instant> lastTick() {
    return Optional.ofNullable(lastTick.get());
  }

  /** Runs one tick now on the calling thread; for tests that drive time by hand. */
  void tickNow() {
    tickSafely(true);
  }

  /** One tick; {@code chores}: also control requests, pruning and tidying. */
  private synchronized void tickSafely(boolean chores) {
    lastTick.set(clock.instant());
    Optional<LeaderTerm> term = leadership.currentTerm();
    if (term.isEmpty()) {
      if (work != null) {
        drop("this node no longer leads");
      }
      changes.clear();
      log.debug("tick: not the leader, nothing to do");
      return;
    }
    try (Timer.Context ignored = tickTimer.time()) {
      if (work != null && work.term() != term.get()) {
        drop("a new term started");
      }
      if (work == null) {
        changes.clear();
        TermWork fresh = newWork.apply(term.get());
        fresh.rebuild();
        work = fresh;
      }
      List<TermWork.DefinitionChange> pending = new ArrayList<>();
      TermWork.DefinitionChange next;
      while ((next = changes.poll()) != null) {
        pending.add(next);
      }
      if (work.tick(pending, chores)) {
        settleSoon(); // more fires due than a tick writes: the next tick at once, not after a pause
      }
      if (chores) {
        // Counting the active runs walks every job's runs: the timed ticks keep the gauge fresh
        // enough, the ticks woken by reports (hundreds a second under load) skip it.
        activeRuns = work.activeCount();
      }
      assigned = work.assignedCount();
      queued = work.queuedCount();
    } catch (FencingException e) {
      log.warn("leader work stopped: {}", e.getMessage());
      leadership.endTerm(term.get(), e.getMessage());
      drop("fenced");
    } catch (RuntimeException e) {
      // Store unavailable, a stale view, or a bug: the store is the truth, rebuild from it.
      log.warn("leader tick failed, rebuilding from the store next tick: {}", e.toString());
      log.debug("tick failure", e);
      work = null;
    }
  }

  private void drop(String reason) {
    if (work != null) {
      log.info("leader work dropped: {}", reason);
    }
    work = null;
    activeRuns = 0;
    assigned = 0;
    queued = 0;
  }

  @Override
  public void close() {
    // A close before start still stops the thread a wake-up may have started.
    if (lifecycle.close() == Lifecycle.State.CLOSED) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
