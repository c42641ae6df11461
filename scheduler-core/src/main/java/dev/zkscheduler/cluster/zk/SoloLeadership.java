package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.slf4j.event.Level;

/**
 * Leadership with the election turned off, for a single node: this node leads without waiting for a
 * latch. Fencing is unchanged: the node holds an ephemeral claim of its own ({@link
 * ZkLayout#solo(String)}) and takes terms by bumping the shared epoch znode, and every write checks
 * both.
 *
 * <p>One such node per namespace, and none next to electing nodes, is enforced:
 *
 * <ul>
 *   <li><b>At start</b> the node creates its claim first and then lists the claimants ({@link
 *       Claimants}). If an older claim of another member id, or any participant of the leader
 *       election, is live, it deletes its claim and {@link #start()} throws {@link
 *       LeadershipConflictException} before taking a term. Of two nodes starting at once the later
 *       claim (higher sequence) is created after the earlier one, and a session reads everything
 *       ZooKeeper ordered before its own write, so the later node sees the earlier claim and steps
 *       back: never both lead. (Both may refuse, if an older claim vanished between their two
 *       listings; a restart then succeeds.) A claim with this node's own member id is its own
 *       previous incarnation (killed, its session not yet expired): no obstacle; the new term
 *       fences it.
 *   <li><b>Running</b>, when the claim had to be created again (the session that held it expired)
 *       and another claimant is live, the node takes no term, logs an ERROR and tries again.
 * </ul>
 *
 * <p>Terms end on SUSPENDED and LOST like elected terms; a new one is taken after the connection
 * comes back.
 *
 * <p>Threads: one named single-thread executor ({@code zk-scheduler-solo-<member>}) takes terms and
 * calls listeners. Lifecycle: {@link #start()} once, or it throws {@link IllegalStateException},
 * also after close; {@link #close()} is idempotent and deletes the claim at once. Thread-safe.
 */
public final class SoloLeadership extends TermKeeper {

  /** This node's claim while it holds one (events thread writes, close reads). */
  private volatile String ownPath;

  /** Set once the first attempt found no conflict: a conflict found later does not fail start. */
  private volatile boolean joined;

  /** The conflict the first term attempt found, for {@link #join()} to throw. */
  private volatile String refusedAtStart;

  public SoloLeadership(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry) {
    super(client, layout, memberId, clock, registry, "zk-scheduler-solo-");
  }

  /**
   * Claims and takes the first term before {@link #start()} returns.
   *
   * @throws LeadershipConflictException if another live node must not lead next to this one
   */
  @Override
  void join() throws Exception {
    log.warn(
        "{} leads WITHOUT an election (leaderElection: false): it refuses to start next to another"
            + " live node leading without an election or in an election in namespace {}",
        memberId,
        Claimants.namespace(client));
    // One events task: a retry cannot slip between the first attempt and the decision.
    runAndWait(
        () -> {
          take();
          joined = refusedAtStart == null;
        });
    String conflict = refusedAtStart;
    if (conflict != null) {
      throw new LeadershipConflictException(
          memberId + " refuses to start with leaderElection: false: " + conflict + ". " + advice());
    }
  }

  /**
   * This node's claim, created again if the session that held it is gone; null while another
   * claimant is live.
   */
  @Override
  String claimPath() throws Exception {
    if (ownPath == null || client.checkExists().forPath(ownPath) == null) {
      String conflict = claim();
      if (conflict != null) {
        if (joined) {
          log.error(
              "{} takes no term: {}. {}; retrying in {} ms",
              memberId,
              conflict,
              advice(),
              RETAKE_MS);
          retakeLater();
        } else {
          refusedAtStart = conflict;
        }
        return null;
      }
    }
    return ownPath;
  }

  /**
   * Creates this node's claim, then lists the claimants; when one must not lead next to this node,
   * deletes the claim again.
   *
   * @return null with {@link #ownPath} set, or what conflicts
   */
  private String claim() throws Exception {
    String path =
        client
            .create()
            .creatingParentsIfNeeded()
            .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(layout.solo(memberId));
    String conflict;
    try {
      conflict = conflict(Long.parseLong(path.substring(path.lastIndexOf('-') + 1)));
    } catch (Exception e) {
      // Unchecked, the claim must not stand; the next attempt claims and checks again.
      delete(path);
      throw e;
    }
    if (conflict != null) {
      delete(path);
      return conflict;
    }
    ownPath = path;
    return null;
  }

  /** What keeps a claim with sequence {@code ours} from leading, or null. */
  private String conflict(long ours) throws Exception {
    List<Claimants.SoloClaim> older =
        Claimants.soloClaims(client, layout).stream()
            .filter(c -> !c.memberId().equals(memberId) && c.sequence() < ours)
            .toList();
    if (!older.isEmpty()) {
      Claimants.SoloClaim first = older.get(0);
      return "namespace "
          + Claimants.namespace(client)
          + " already has a live node leading without an election: member '"
          + first.memberId()
          + "' (claim "
          + first.path()
          + ")";
    }
    List<String> electing =
        Claimants.latchParticipants(client, layout).stream()
            .filter(id -> !id.equals(memberId))
            .toList();
    if (!electing.isEmpty()) {
      return "namespace "
          + Claimants.namespace(client)
          + " has live nodes in the leader election: "
          + electing;
    }
    return null;
  }

  private void delete(String path) {
    try {
      // Guaranteed: a claim left behind would keep every other node from leading.
      client.delete().quietly().guaranteed().forPath(path);
    } catch (Exception e) {
      log.warn("could not delete {}: {}", path, e.toString());
    }
  }

  private String advice() {
    return "At most one node per namespace may run with leaderElection: false, and none next to"
        + " nodes that elect: stop the other node, or set leaderElection: true on every node";
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

  /** After the events thread stopped, so that no term attempt creates the claim again. */
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
