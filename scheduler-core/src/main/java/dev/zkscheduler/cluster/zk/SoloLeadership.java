package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
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
 *   <li><b>Running</b>, a term only ever follows this node's own previous one. Once the epoch moved
 *       past it — another node took a newer term, seen through a watch on the epoch znode or a
 *       refused write — the node ends its term, deletes its claim and stands aside for good: an
 *       ERROR says why and what to do, it takes no term until restarted, and {@link
 *       #standingAside()} (the leadership health check) reports it. It does the same when its claim
 *       had to be created again (the session that held it expired) and another claimant is live.
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

  private final CuratorWatcher epochWatch = this::onEpochEvent;

  /** This node's claim while it holds one (events thread writes, close reads). */
  private volatile String ownPath;

  /** Set once the first attempt found no conflict: a conflict found later is a step aside. */
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
   * This node's claim, created again if the session that held it is gone; null once it stands
   * aside, or when it must (the epoch moved past its last term, or another claimant is live).
   */
  @Override
  String claimPath() throws Exception {
    if (standingAside().isPresent()) {
      return null;
    }
    long last = lastTakenEpoch();
    if (last >= 0) {
      long now = Epochs.current(client, layout);
      if (now > last) {
        String taker = Epochs.lastTaker(client, layout);
        boolean restarted = taker.startsWith(memberId + "@");
        stepAside(
            (restarted
                    ? "a newer incarnation of this node (same member id) took a newer term"
                    : "another node took a newer term")
                + ": the epoch is "
                + now
                + " (taken by "
                + taker
                + "), this node's last term was "
                + last,
            restarted
                ? "This process is superseded: the node was started again with its member id, and"
                    + " the new process leads; stop this one"
                : advice() + "; then restart this node");
        return null;
      }
    }
    if (ownPath == null || client.checkExists().forPath(ownPath) == null) {
      String conflict = claim();
      if (conflict != null) {
        if (joined) {
          stepAside(conflict, advice() + "; then restart this node");
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

  private String advice() {
    return "At most one node per namespace may run with leaderElection: false, and none next to"
        + " nodes that elect: stop the other node, or set leaderElection: true on every node";
  }

  /** Ends any term, deletes the claim and never takes a term again. Events thread. */
  private void stepAside(String why, String whatToDo) {
    end(why);
    if (!standAside(why)) {
      return;
    }
    log.error(
        "{} steps aside FOR GOOD in namespace {} and will not lead again until it is restarted: {}."
            + " {}.",
        memberId,
        Claimants.namespace(client),
        why,
        whatToDo);
    String path = ownPath;
    ownPath = null;
    if (path != null) {
      delete(path);
    }
  }

  private void delete(String path) {
    try {
      // Guaranteed: a claim left behind would keep every other node from leading.
      client.delete().quietly().guaranteed().forPath(path);
    } catch (Exception e) {
      log.warn("could not delete {}: {}", path, e.toString());
    }
  }

  /** Only on this node's own last term: never over another node's newer one. */
  @Override
  int expectedEpoch() {
    return (int) lastTakenEpoch();
  }

  /**
   * Watches the epoch, so that a newer term elsewhere ends this one without waiting for a write.
   */
  @Override
  void termTaken(ZkLeaderTerm term) {
    try {
      // One watcher object: ZooKeeper keeps it once per path, however often it is set.
      client.checkExists().usingWatcher(epochWatch).inBackground().forPath(layout.epoch());
    } catch (Exception e) {
      log.warn(
          "{} could not watch {}: {}; a newer term is noticed at the next write",
          memberId,
          layout.epoch(),
          e.toString());
    }
  }

  /** Curator's event thread: connection events keep the watch; changes are read on events. */
  private void onEpochEvent(WatchedEvent event) {
    if (event.getType() == Watcher.Event.EventType.None) {
      return;
    }
    try {
      events().execute(this::checkEpoch);
    } catch (RejectedExecutionException closed) {
      // Closing: no term to end.
    }
  }

  private void checkEpoch() {
    ZkLeaderTerm term = (ZkLeaderTerm) currentTerm().orElse(null);
    if (term == null) {
      return;
    }
    try {
      long now = Epochs.current(client, layout);
      if (now > term.epoch()) {
        endTerm(term, "another node took a newer term (epoch " + now + ")");
      } else {
        termTaken(term);
      }
    } catch (Exception e) {
      log.warn("{} could not read {}: {}", memberId, layout.epoch(), e.toString());
    }
  }

  @Override
  String describeClaim(String path) {
    return " (no election)";
  }

  @Override
  Level raceLevel() {
    return Level.WARN;
  }

  /**
   * A refused write or a newer epoch ended the term: try the next one at once. {@link #claimPath()}
   * steps aside if the epoch moved on; a term lost with its claim is taken anew.
   */
  @Override
  void afterFenced(String reason) {
    take();
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
