package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.slf4j.event.Level;

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
 * calls listeners. Lifecycle: {@link #start()} once, or it throws {@link IllegalStateException},
 * also after close; {@link #close()} is idempotent and deletes the ephemeral node at once.
 * Thread-safe.
 */
public final class SoloLeadership extends TermKeeper {

  private volatile String ownPath;

  public SoloLeadership(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry) {
    super(client, layout, memberId, clock, registry, "zk-scheduler-solo-");
  }

  /** Takes the first term before {@link #start()} returns. */
  @Override
  void join() throws Exception {
    log.warn(
        "{} leads WITHOUT an election (leaderElection: false): run exactly one such node per"
            + " cluster",
        memberId);
    takeAndWait();
  }

  /** This node's ephemeral node, created again if the session that held it is gone. */
  @Override
  String claimPath() throws Exception {
    if (ownPath == null || client.checkExists().forPath(ownPath) == null) {
      ownPath =
          client
              .create()
              .creatingParentsIfNeeded()
              .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              .forPath(layout.solo(memberId));
    }
    return ownPath;
  }

  @Override
  String describeClaim(String path) {
    return " (no election)";
  }

  @Override
  Level raceLevel() {
    return Level.WARN;
  }

  /** Another node took a newer term: take a new one after a pause, and say loudly why. */
  @Override
  void afterFenced(String reason) {
    log.error(
        "{} was fenced ({}): another node is writing scheduler state. With"
            + " leaderElection: false there must be only one node.",
        memberId,
        reason);
    retakeLater();
  }

  @Override
  public String leaderId() {
    return currentTerm().isPresent() ? memberId : null;
  }

  /** After the events thread stopped, so that no term attempt creates the node again. */
  @Override
  void left() {
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
