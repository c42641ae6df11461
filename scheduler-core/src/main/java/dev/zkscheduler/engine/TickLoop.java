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
 * The one periodic loop of a node, and the one place that decides whether leader work runs
 * (docs/design.md, G8): every tick first asks {@link Leadership#currentTerm()}. A follower's tick
 * does nothing but say so at DEBUG. The timer is never torn down on demotion, so work resumes when
 * leadership returns. A term's work is rebuilt from the store when a term starts, and dropped when
 * the term ends (handlers interrupted per {@link EngineSettings.TermLossPolicy}), on a fencing
 * refusal (the term is ended) and when the leader's view went stale (rebuilt next tick).
 *
 * <p>Thread: one daemon thread, {@code zk-scheduler-tick}. Start once; {@link #close()} is
 * idempotent and waits for the running tick.
 */
final class TickLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TickLoop.class);

  private final Leadership leadership;
  private final Clock clock;
  private final EngineSettings settings;
  private final TaskRunner runner;
  private final Function<LeaderTerm, TermWork> newWork;
  private final ScheduledExecutorService executor;
  private final Queue<TermWork.DefinitionChange> changes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeUpPending = new AtomicBoolean();
  private final AtomicReference<Instant> lastTick = new AtomicReference<>();
  private final Timer tickTimer;
  private final Lifecycle lifecycle = new Lifecycle("TickLoop");
  private volatile TermWork work;

  /**
   * The epoch of the last term this node led, while the attempts it started are held for a
   * successor of its own (see {@link TaskRunner#suspend}); -1 when none are.
   */
  private long suspendedEpoch = -1;

  /**
   * Whether the term {@link #suspendedEpoch} names was fenced: then only a later term continues.
   */
  private boolean suspendedFenced;

  private volatile int activeRuns;

  TickLoop(
      Leadership leadership,
      Clock clock,
      EngineSettings settings,
      TaskRunner runner,
      MetricRegistry metrics,
      Function<LeaderTerm, TermWork> newWork) {
    this.leadership = leadership;
    this.clock = clock;
    this.settings = settings;
    this.runner = runner;
    this.newWork = newWork;
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder().setNameFormat("zk-scheduler-tick").setDaemon(true).build());
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.tickTimer = metrics.timer(MetricNames.TICK);
    Gauges.replace(metrics, MetricNames.RUNS_ACTIVE, () -> activeRuns);
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
        this::tickSafely, 0, settings.tickInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a tick soon (a task finished, a definition changed); coalesced. */
  void wakeUp() {
    if (wakeUpPending.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              wakeUpPending.set(false);
              tickSafely();
            });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        wakeUpPending.set(false);
      }
    }
  }

  void definitionChanged(TermWork.DefinitionChange change) {
    changes.add(change);
    wakeUp();
  }

  /** The instant of the last tick, leader or follower (for the loop-alive health check). */
  Optional<Instant> lastTick() {
    return Optional.ofNullable(lastTick.get());
  }

  /** Runs one tick now on the calling thread; for tests that drive time by hand. */
  void tickNow() {
    tickSafely();
  }

  private synchronized void tickSafely() {
    lastTick.set(clock.instant());
    Optional<LeaderTerm> term = leadership.currentTerm();
    if (term.isEmpty()) {
      if (work != null) {
        drop("this node no longer leads", true);
      }
      if (suspendedEpoch >= 0) {
        // Also after a failed tick of a term that then ended: attempts still queued for a thread
        // must wait for the next term of this node, not start now.
        runner.suspend();
      }
      if (suspendedEpoch >= 0 && !runner.lease().valid()) {
        // Past half the session timeout without contact: another node may lead before long.
        abandonSuspended(
            "no ZooKeeper contact for half the session timeout since term " + suspendedEpoch);
      }
      changes.clear();
      log.debug("tick: not the leader, nothing to do");
      return;
    }
    // Every leader tick makes ZooKeeper round trips that begin after this instant: when the tick
    // succeeds, the session was alive then (see Lease).
    long contact = System.nanoTime();
    try (Timer.Context ignored = tickTimer.time()) {
      if (work != null && work.term() != term.get()) {
        drop("a new term started", true);
      }
      if (work == null) {
        changes.clear();
        boolean continues = continuesSuspended(term.get());
        TermWork fresh = newWork.apply(term.get());
        fresh.rebuild();
        runner.lease().renew(contact);
        work = fresh;
        // Only once the rebuild succeeded: a failed one is tried again, and must still know.
        suspendedEpoch = -1;
        suspendedFenced = false;
        if (continues) {
          List<TaskRunner.AttemptKey> resumed = runner.resume(fresh::showsRunning);
          if (!resumed.isEmpty()) {
            log.info(
                "term {}: {} attempt(s) held since this node's work was dropped are started: {}",
                term.get().epoch(),
                resumed.size(),
                resumed);
          }
        }
      }
      List<TermWork.DefinitionChange> pending = new ArrayList<>();
      TermWork.DefinitionChange next;
      while ((next = changes.poll()) != null) {
        pending.add(next);
      }
      work.tick(pending);
      runner.lease().renew(contact);
      activeRuns = work.activeCount();
    } catch (FencingException e) {
      log.warn("leader work stopped: {}", e.getMessage());
      leadership.endTerm(term.get(), e.getMessage());
      drop("fenced", true);
      // The term is over whatever the local view says until endTerm lands: never continued.
      if (suspendedEpoch == term.get().epoch()) {
        suspendedFenced = true;
      }
    } catch (RuntimeException e) {
      // Store unavailable, a stale view, or a bug: the store is the truth, rebuild from it.
      log.warn("leader tick failed, rebuilding from the store next tick: {}", e.toString());
      log.debug("tick failure", e);
      drop("tick failed", false);
    }
  }

  private void drop(String reason, boolean termOver) {
    if (work != null) {
      work.holdPendingStarts();
      if (!termOver) {
        // The same term rebuilds: it starts the held attempts its reading shows started.
        suspendedEpoch = work.term().epoch();
      }
    }
    if (termOver) {
      log.info("leader work dropped: {}", reason);
      if (work != null) {
        // Running handlers go on, queued ones wait: if this node's next term directly follows
        // this one (a connection blip that ended the term while the session lived), no other
        // leader can have offered these attempts again, and that term takes them over. They are
        // let go (interrupted under CANCEL) once another node may lead (abandonSuspended).
        List<TaskRunner.AttemptKey> heldBack = runner.suspend();
        suspendedEpoch = work.term().epoch();
        if (!heldBack.isEmpty()) {
          log.info(
              "{} queued attempt(s) of term {} held back until this node leads the next term: {}",
              heldBack.size(),
              suspendedEpoch,
              heldBack);
        }
      }
    }
    work = null;
    activeRuns = 0;
  }

  /**
   * Before a new term rebuilds: whether it takes over the attempts of the term this node led before
   * it. Only the directly following epoch may: a term of another node in between may have offered
   * them again, so they are abandoned (queued ones never start, outcomes are dropped, and this term
   * counts them lost like any other leader would).
   */
  private boolean continuesSuspended(LeaderTerm term) {
    if (suspendedEpoch < 0) {
      return false;
    }
    long previous = suspendedEpoch;
    if (term.epoch() == previous && !suspendedFenced) {
      return true; // The same term, rebuilt after a failed tick.
    }
    if (term.epoch() == previous + 1) {
      log.info(
          "term {} directly follows this node's term {}: its attempts in flight are kept",
          term.epoch(),
          previous);
      return true;
    }
    abandonSuspended(
        "term "
            + term.epoch()
            + " follows another node's term (this node last led "
            + previous
            + ")");
    return false;
  }

  /**
   * Lets the attempts of the last term go, because another node may lead now or already did: under
   * CANCEL their handlers are interrupted, under FINISH they finish unrecorded; queued ones never
   * start. The next leader counts them lost and offers them again.
   */
  private void abandonSuspended(String why) {
    suspendedEpoch = -1;
    suspendedFenced = false;
    boolean interrupt = settings.onTermLoss() == EngineSettings.TermLossPolicy.CANCEL;
    List<TaskRunner.AttemptKey> notStarted = runner.abandonAll(interrupt);
    log.info(
        "{}: attempts of this node's last term are let go ({}), {} never started: {}",
        why,
        interrupt ? "running ones interrupted" : "running ones finish unrecorded",
        notStarted.size(),
        notStarted);
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
