package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.io.Closeable;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on ZooKeeper with fencing terms (docs/design.md, section 2).
 *
 * <p>A Curator {@link LeaderLatch} decides who leads. When it says this node leads, the node takes
 * a <em>term</em>: after a {@code sync()}, one multi-op checks that its latch node still exists and
 * sets the epoch znode at the version it read. The epoch znode's new version is the term's fencing
 * token; it only grows, because the znode is never deleted. Every scheduler-state write then checks
 * the latch node and that version inside its own multi-op ({@code FencedTransaction}), so a node
 * that lost leadership cannot write, whatever it believes.
 *
 * <p>Connection states: SUSPENDED ends the term at once (stop starting work); LOST ends it too;
 * after RECONNECTED the latch decides again and any new term takes a new epoch. A term is never
 * resumed.
 *
 * <p>Threads: latch and connection callbacks run on one named single-thread executor ({@code
 * zk-scheduler-election-<member>}), which also calls {@link LeadershipListener}s, in order; nothing
 * blocking runs on Curator's event thread. Lifecycle: {@link #start()} once; {@link #close()} is
 * idempotent, releases the latch at once (leadership passes without waiting for a session timeout)
 * and waits at most five seconds for the callback thread.
 */
public final class LeaderElection implements ZkLeadership, Closeable {

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final String memberId;
  private final Clock clock;
  private final LeaderLatch latch;
  private final ScheduledExecutorService events;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final TermKeeper terms;
  private final ConnectionStateListener connectionListener = this::onConnectionState;

  public LeaderElection(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry) {
    this.client = Preconditions.checkNotNull(client, "client");
    this.layout = Preconditions.checkNotNull(layout, "layout");
    this.memberId = Preconditions.checkNotNull(memberId, "memberId");
    this.clock = Preconditions.checkNotNull(clock, "clock");
    this.latch =
        new LeaderLatch(client, layout.latch(), memberId, LeaderLatch.CloseMode.NOTIFY_LEADER);
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            new ThreadFactoryBuilder()
                .setNameFormat("zk-scheduler-election-" + memberId)
                .setDaemon(true)
                .build());
    // A retry still waiting when the election closes is dropped, not run.
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.events = pool;
    this.terms = new TermKeeper(memberId, registry);
  }

  /**
   * Creates the epoch znode if this is the cluster's first node and joins the election.
   *
   * @throws IllegalStateException if started twice or after close
   */
  public void start() throws Exception {
    Preconditions.checkState(
        state.compareAndSet(State.LATENT, State.STARTED), "LeaderElection started twice or closed");
    ensureEpochNode();
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            takeTerm();
          }

          @Override
          public void notLeader() {
            endCurrent("the latch says this node no longer leads");
          }
        },
        events);
    client.getConnectionStateListenable().addListener(connectionListener, events);
    latch.start();
    log.info("{} joined the leader election at {}", memberId, layout.latch());
  }

  private void ensureEpochNode() throws Exception {
    Epochs.ensure(client, layout);
  }

  private void onConnectionState(CuratorFramework ignored, ConnectionState newState) {
    switch (newState) {
      case SUSPENDED -> endCurrent("ZooKeeper connection suspended");
      case LOST -> endCurrent("ZooKeeper session lost");
      case RECONNECTED -> {
        // The latch re-evaluates on its own and calls isLeader() if we still lead; if it already
        // believes it leads, take a fresh term: a term never survives a suspension.
        if (latch.hasLeadership() && !terms.holding()) {
          takeTerm();
        }
      }
      default -> {}
    }
  }

  /** Runs on the events thread. */
  private void takeTerm() {
    if (state.get() != State.STARTED || terms.holding()) {
      return;
    }
    try {
      String ourPath =
          latch.getLastPathIsLeader() != null ? latch.getLastPathIsLeader() : latch.getOurPath();
      if (ourPath == null || !latch.hasLeadership()) {
        return;
      }
      int epoch = Epochs.take(client, layout, ourPath, memberId, clock.instant());
      ZkLeaderTerm term = new ZkLeaderTerm(epoch, ourPath, memberId, clock.instant(), this);
      terms.started(term, " (latch node " + ourPath + ")");
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
      // Usually another node moved first and the latch will say so; if it still names this node,
      // the retry takes the term.
      log.info("{} could not take a term ({}): another node moved first", memberId, e.code());
      retakeLater();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The latch still names this node: without a retry the cluster would have a leader that
      // never works (found by scheduler-bench: a sync() queued behind 100,000 reads timed out).
      log.warn(
          "{} could not take a term: {}; retrying in {} ms", memberId, e.toString(), RETAKE_MS);
      retakeLater();
    }
  }

  /** Delay before trying again to take a term the latch grants but ZooKeeper did not confirm. */
  private static final long RETAKE_MS = 1_000;

  /** The pending retry, if any (events thread only): one at a time, whatever asked for it. */
  private ScheduledFuture<?> retake;

  private void retakeLater() {
    // A retry that is running now (it called this) has a delay <= 0: it does not count.
    boolean onePending =
        retake != null && !retake.isDone() && retake.getDelay(TimeUnit.NANOSECONDS) > 0;
    if (state.get() != State.STARTED || events.isShutdown() || onePending) {
      return;
    }
    try {
      retake = events.schedule(this::takeTerm, RETAKE_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // Closing: no term to take.
    }
  }

  private void endCurrent(String reason) {
    terms.end(reason);
  }

  @Override
  public Optional<LeaderTerm> currentTerm() {
    return terms.currentTerm();
  }

  @Override
  public void addListener(LeadershipListener listener) {
    terms.addListener(listener);
  }

  /**
   * Ends {@code term} (idempotent). If the latch still names this node as leader, a new term with a
   * new epoch is taken afterwards: the old one is never reused.
   */
  @Override
  public void endTerm(LeaderTerm term, String reason) {
    if (state.get() == State.CLOSED || events.isShutdown()) {
      return;
    }
    events.execute(
        () -> {
          if (terms.holds(term)) {
            endCurrent(reason);
            if (leadsByLatch()) {
              takeTerm();
            }
          }
        });
  }

  private boolean leadsByLatch() {
    try {
      return latch.hasLeadership() && memberId.equals(latch.getLeader().getId());
    } catch (Exception e) {
      return false;
    }
  }

  /** The member id of the participant the latch names leader, or null when there is none. */
  @Override
  public String leaderId() {
    try {
      Participant leader = latch.getLeader();
      return leader.isLeader() ? leader.getId() : null;
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public long clusterEpoch() throws Exception {
    return Epochs.current(client, layout);
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(connectionListener);
    events.execute(() -> endCurrent("closing"));
    try {
      latch.close();
    } catch (Exception e) {
      log.warn("closing the leader latch of {} failed: {}", memberId, e.toString());
    }
    events.shutdown();
    try {
      if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
        events.shutdownNow();
      }
    } catch (InterruptedException e) {
      events.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("{} left the leader election", memberId);
  }
}
