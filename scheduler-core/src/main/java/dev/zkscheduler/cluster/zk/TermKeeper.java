package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What both ways of leading ({@link LeaderElection}, {@link SoloLeadership}) do with terms: taking
 * one by bumping the epoch znode, retrying when ZooKeeper did not confirm it, ending it on
 * SUSPENDED, LOST, a fencing refusal or close, telling the listeners, the leader/epoch gauges and
 * terms counter, the clock skew measured on each term's epoch write ({@link ClockSkew}), and the
 * start-once, close-idempotently lifecycle. A subclass says only what differs: which znode a term
 * rests on ({@link #claimPath()}), how it joins and leaves, what follows a fencing refusal ({@link
 * #afterFenced(String)}), and whether it stands aside ({@link #standingAside()}) because of another
 * node it must not lead next to.
 *
 * <p>Threads: terms are taken and ended, and listeners called, on one named single-thread executor
 * ({@link #events()}), so they never overlap and nothing blocking runs on Curator's event thread.
 * Everything else is thread-safe.
 */
abstract sealed class TermKeeper implements ZkLeadership permits LeaderElection, SoloLeadership {

  /** Delay before trying again to take a term that ZooKeeper did not confirm. */
  static final long RETAKE_MS = 1_000;

  /** Named after the concrete way of leading, so its whole story reads under one logger. */
  final Logger log = LoggerFactory.getLogger(getClass());

  final CuratorFramework client;
  final ZkLayout layout;
  final String memberId;
  private final Clock clock;
  private final Lifecycle lifecycle;
  private final ScheduledThreadPoolExecutor events;
  private final ConnectionStateListener connectionListener = this::onConnectionState;
  private final AtomicReference<ZkLeaderTerm> current = new AtomicReference<>();
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong lastEpoch = new AtomicLong(-1);
  private final AtomicReference<String> standingAside = new AtomicReference<>();
  private final Counter termsStarted;
  private final ClockSkew clockSkew;

  /** The pending retry, if any (events thread only): one at a time, whatever asked for it. */
  private ScheduledFuture<?> retake;

  /**
   * @param threadPrefix the events thread's name, before the member id
   */
  TermKeeper(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry,
      String threadPrefix) {
    this.client = Preconditions.checkNotNull(client, "client");
    this.layout = Preconditions.checkNotNull(layout, "layout");
    this.memberId = Preconditions.checkNotNull(memberId, "memberId");
    this.clock = Preconditions.checkNotNull(clock, "clock");
    this.lifecycle = new Lifecycle(getClass().getSimpleName() + " " + memberId);
    this.events =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder()
                .setNameFormat(threadPrefix + memberId)
                .setDaemon(true)
                .build());
    // A retry still waiting on close is dropped, not run.
    this.events.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    this.termsStarted = metrics.counter(MetricNames.TERMS_STARTED);
    this.clockSkew = new ClockSkew(memberId, ClockSkew.DEFAULT_LIMIT, metrics);
    Gauges.replace(metrics, MetricNames.LEADER, () -> currentTerm().isPresent() ? 1 : 0);
    Gauges.replace(metrics, MetricNames.EPOCH, lastEpoch::get);
  }

  // ---- what a way of leading says ----

  /**
   * The ephemeral znode a new term must check, or null when this node should not lead now. Events
   * thread.
   *
   * @throws Exception if ZooKeeper could not say; the term is retried later
   */
  abstract String claimPath() throws Exception;

  /** How the log names a term resting on {@code path}. */
  abstract String describeClaim(String path);

  /**
   * How loudly to report losing the race for a term: another node moving first is routine in an
   * election and a misconfiguration without one.
   */
  abstract Level raceLevel();

  /** Joins once the epoch znode exists and the connection is followed; may take the first term. */
  abstract void join() throws Exception;

  /** Runs on the events thread after a fencing refusal ended the held term. */
  abstract void afterFenced(String reason);

  /**
   * The epoch a new term must follow, or -1 for whatever it is: a way of leading that must not take
   * a term over another node's newer one says which. Events thread.
   */
  int expectedEpoch() {
    return -1;
  }

  /** Runs on the events thread after a term started and the listeners heard of it. */
  void termTaken(ZkLeaderTerm term) {}

  /** On close, after the held term's end is queued and while its callbacks still run. */
  void leave() {}

  /** On close, after the events thread stopped: no term attempt runs any more. */
  void left() {}

  // ---- lifecycle ----

  /**
   * Creates the epoch znode if this is the cluster's first node, follows the connection and joins.
   * A start that fails closes what it began: no thread, listener or claim is left behind.
   *
   * @throws IllegalStateException if started twice or after close
   * @throws dev.zkscheduler.error.LeadershipConflictException if another live node leads in a way
   *     this one must not lead next to
   * @throws Exception if ZooKeeper could not create the epoch znode, or joining failed
   */
  @Override
  public final void start() throws Exception {
    lifecycle.start();
    try {
      Epochs.ensure(client, layout);
      client.getConnectionStateListenable().addListener(connectionListener, events);
      join();
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Ends any term and releases leadership, waiting at most five seconds for the events thread.
   * Idempotent and harmless before {@link #start()} (which then throws); never throws.
   */
  @Override
  public final void close() {
    if (lifecycle.close() != Lifecycle.State.STARTED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(connectionListener);
    events.execute(() -> end("closing"));
    leave();
    events.shutdown();
    try {
      if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
        events.shutdownNow();
      }
    } catch (InterruptedException e) {
      events.shutdownNow();
      Thread.currentThread().interrupt();
    }
    left();
  }

  // ---- terms ----

  /** The thread that takes and ends terms; callbacks that touch terms belong on it too. */
  final Executor events() {
    return events;
  }

  private void onConnectionState(CuratorFramework ignored, ConnectionState state) {
    switch (state) {
      case SUSPENDED -> end("ZooKeeper connection suspended");
      case LOST -> end("ZooKeeper session lost");
      // A term never survives a suspension: whoever still should lead takes a fresh one. (An
      // election's latch also re-evaluates on its own and says isLeader() if it still leads.)
      case RECONNECTED -> take();
      default -> {}
    }
  }

  /** Takes a term on the events thread and waits for the attempt; a failed one is retried later. */
  final void takeAndWait() throws Exception {
    runAndWait(this::take);
  }

  /** Runs {@code task} on the events thread, after whatever is queued there, and waits for it. */
  final void runAndWait(Runnable task) throws Exception {
    events.submit(task).get();
  }

  /** Takes a term if this node should lead and holds none. Events thread. */
  final void take() {
    if (!lifecycle.isStarted() || current.get() != null) {
      return;
    }
    try {
      String path = claimPath();
      if (path == null) {
        return;
      }
      Epochs.Taken taken = Epochs.take(client, layout, path, memberId, clock, expectedEpoch());
      if (taken.skew() != null) {
        clockSkew.record(taken.skew());
      }
      started(
          new ZkLeaderTerm(taken.epoch(), path, memberId, clock.instant(), this),
          describeClaim(path));
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
      // In an election, usually another node moved first and the latch will say so; if it still
      // names this node, the retry takes the term.
      log.atLevel(raceLevel())
          .log(
              "{} could not take a term ({}): another node moved first; retrying in {} ms",
              memberId,
              e.code(),
              RETAKE_MS);
      retakeLater();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The claim still stands: without a retry the cluster would have a leader that never works
      // (found by scheduler-bench: a sync() queued behind 100,000 reads timed out).
      log.warn(
          "{} could not take a term: {}; retrying in {} ms", memberId, e.toString(), RETAKE_MS);
      retakeLater();
    }
  }

  /** Schedules one {@link #take()} after {@link #RETAKE_MS}, unless one is already pending. */
  final void retakeLater() {
    // A retry that is running now (it called this) has a delay <= 0: it does not count.
    boolean onePending =
        retake != null && !retake.isDone() && retake.getDelay(TimeUnit.NANOSECONDS) > 0;
    if (!lifecycle.isStarted() || events.isShutdown() || onePending) {
      return;
    }
    try {
      retake = events.schedule(this::take, RETAKE_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // Closing: no term to take.
    }
  }

  private void started(ZkLeaderTerm term, String how) {
    current.set(term);
    lastEpoch.set(term.epoch());
    termsStarted.inc();
    log.info("{} leads{}: term with epoch {}", memberId, how, term.epoch());
    for (LeadershipListener listener : listeners) {
      notify(() -> listener.termStarted(term));
    }
    termTaken(term);
  }

  /** Ends the held term, if any, and tells the listeners; idempotent. Events thread. */
  final void end(String reason) {
    ZkLeaderTerm term = current.getAndSet(null);
    if (term != null && term.end()) {
      log.warn("{} ends its term with epoch {}: {}", memberId, term.epoch(), reason);
      for (LeadershipListener listener : listeners) {
        notify(() -> listener.termEnded(term, reason));
      }
    }
  }

  private void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("leadership listener failed", e);
    }
  }

  /**
   * Ends {@code term} if it is still the one held (idempotent), on the events thread; what follows
   * is the subclass's {@link #afterFenced(String)}. Does nothing once closed.
   */
  @Override
  public final void endTerm(LeaderTerm term, String reason) {
    if (lifecycle.state() == Lifecycle.State.CLOSED || events.isShutdown()) {
      return;
    }
    events.execute(
        () -> {
          if (current.get() == term) {
            end(reason);
            afterFenced(reason);
          }
        });
  }

  /** The epoch of the last term this node took, or -1 before its first. */
  final long lastTakenEpoch() {
    return lastEpoch.get();
  }

  /**
   * Records why this node does not take terms although its configuration says it should.
   *
   * @return true if that is news (not the reason already recorded), for the caller to log it once
   */
  final boolean standAside(String reason) {
    return !reason.equals(standingAside.getAndSet(reason));
  }

  /**
   * Clears {@link #standAside(String)}.
   *
   * @return true if this node was standing aside
   */
  final boolean stopStandingAside() {
    return standingAside.getAndSet(null) != null;
  }

  @Override
  public final Optional<String> standingAside() {
    return Optional.ofNullable(standingAside.get());
  }

  @Override
  public final Optional<LeaderTerm> currentTerm() {
    ZkLeaderTerm term = current.get();
    return term != null && term.isCurrent() ? Optional.of(term) : Optional.empty();
  }

  @Override
  public final void addListener(LeadershipListener listener) {
    listeners.add(listener);
  }

  @Override
  public final long clusterEpoch() throws Exception {
    return Epochs.current(client, layout);
  }

  @Override
  public final Optional<Duration> clockSkew() {
    return clockSkew.latest().map(s -> Duration.ofMillis(s.skewMillis()));
  }

  @Override
  public final String memberId() {
    return memberId;
  }
}
