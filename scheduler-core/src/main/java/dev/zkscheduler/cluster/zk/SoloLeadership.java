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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership with the election turned off, for a single node: this node always leads, without
 * waiting for a latch. Fencing is unchanged: the node holds an ephemeral node of its own and takes
 * terms by bumping the shared epoch znode, and every write checks both. So a second node that also
 * runs without election (a misconfiguration) cannot corrupt anything: each term it takes fences the
 * other's writes, and both log an error each time they are fenced. Terms end on SUSPENDED and LOST
 * like elected terms; a new one is taken after the connection comes back, or one second after a
 * fencing refusal.
 *
 * <p>Threads: one named single-thread executor ({@code zk-scheduler-solo-<member>}) takes terms and
 * calls listeners. {@link #close()} deletes the ephemeral node at once.
 */
public final class SoloLeadership implements ZkLeadership, Closeable {

  private static final Logger log = LoggerFactory.getLogger(SoloLeadership.class);
  private static final long RETAKE_AFTER_FENCING_MS = 1_000;

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final String memberId;
  private final Clock clock;
  private final ScheduledExecutorService events;
  private final TermKeeper terms;
  private final ConnectionStateListener connectionListener = this::onConnectionState;
  private volatile String ownPath;
  private volatile boolean closed;

  public SoloLeadership(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry) {
    this.client = Preconditions.checkNotNull(client, "client");
    this.layout = Preconditions.checkNotNull(layout, "layout");
    this.memberId = Preconditions.checkNotNull(memberId, "memberId");
    this.clock = Preconditions.checkNotNull(clock, "clock");
    this.events =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder()
                .setNameFormat("zk-scheduler-solo-" + memberId)
                .setDaemon(true)
                .build());
    this.terms = new TermKeeper(memberId, registry);
  }

  /** Creates this node's ephemeral node and takes the first term before returning. */
  public void start() throws Exception {
    Epochs.ensure(client, layout);
    client.getConnectionStateListenable().addListener(connectionListener, events);
    log.warn(
        "{} leads WITHOUT an election (leaderElection: false): run exactly one such node per"
            + " cluster",
        memberId);
    events.submit(this::takeTerm).get();
  }

  private void onConnectionState(CuratorFramework ignored, ConnectionState state) {
    switch (state) {
      case SUSPENDED -> endCurrent("ZooKeeper connection suspended");
      case LOST -> endCurrent("ZooKeeper session lost");
      case RECONNECTED -> takeTerm();
      default -> {}
    }
  }

  /** Runs on the events thread. */
  private void takeTerm() {
    if (closed || terms.holding()) {
      return;
    }
    try {
      if (ownPath == null || client.checkExists().forPath(ownPath) == null) {
        ownPath =
            client
                .create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(layout.solo(memberId));
      }
      int epoch = Epochs.take(client, layout, ownPath, memberId, clock.instant());
      ZkLeaderTerm term = new ZkLeaderTerm(epoch, ownPath, memberId, clock.instant(), this);
      terms.started(term, " (no election)");
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
      log.warn("{} could not take a term ({}); retrying", memberId, e.code());
      retakeLater();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("{} could not take a term: {}; retrying", memberId, e.toString());
      retakeLater();
    }
  }

  private void retakeLater() {
    if (!closed) {
      events.schedule(this::takeTerm, RETAKE_AFTER_FENCING_MS, TimeUnit.MILLISECONDS);
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
   * A fenced write ended the term: another node took a newer one. Take a new term after a pause.
   */
  @Override
  public void endTerm(LeaderTerm term, String reason) {
    if (closed) {
      return;
    }
    events.execute(
        () -> {
          if (terms.holds(term)) {
            log.error(
                "{} was fenced ({}): another node is writing scheduler state. With"
                    + " leaderElection: false there must be only one node.",
                memberId,
                reason);
            endCurrent(reason);
            retakeLater();
          }
        });
  }

  @Override
  public String leaderId() {
    return currentTerm().isPresent() ? memberId : null;
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
    if (closed) {
      return;
    }
    closed = true;
    client.getConnectionStateListenable().removeListener(connectionListener);
    events.execute(() -> endCurrent("closing"));
    events.shutdown();
    try {
      if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
        events.shutdownNow();
      }
    } catch (InterruptedException e) {
      events.shutdownNow();
      Thread.currentThread().interrupt();
    }
    String path = ownPath;
    if (path != null) {
      try {
        client.delete().quietly().forPath(path);
      } catch (Exception e) {
        log.warn("could not delete {} on close: {}", path, e.toString());
      }
    }
  }
}
