package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.event.Level;

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
 * <p>Next to a node leading without an election ({@link SoloLeadership}, a misconfiguration): a
 * live solo claim of another member id makes {@link #start()} throw {@link
 * LeadershipConflictException} before joining, and, checked again before every term (after the
 * latch node exists, so that a solo node starting at the same moment sees the latch node or is
 * seen), keeps the latch's leader from taking a term: it logs an ERROR, {@link #standingAside()}
 * says why, and it tries again every second, so it leads within about a second of the solo node
 * stopping. Claims vanish with their sessions: a dead solo node is no obstacle.
 *
 * <p>Threads: latch and connection callbacks run on one named single-thread executor ({@code
 * zk-scheduler-election-<member>}), which also calls {@link LeadershipListener}s, in order; nothing
 * blocking runs on Curator's event thread. Lifecycle: {@link #start()} once, or it throws {@link
 * IllegalStateException}, also after close; {@link #close()} is idempotent, releases the latch at
 * once (leadership passes without waiting for a session timeout) and waits at most five seconds for
 * the callback thread. Thread-safe.
 */
public final class LeaderElection extends TermKeeper {

  private static final String ADVICE =
      ". Stop that node, or set leaderElection: true on it: with leaderElection: false a node must be"
          + " alone in its namespace";

  private final LeaderLatch latch;

  public LeaderElection(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      Clock clock,
      MetricRegistry registry) {
    super(client, layout, memberId, clock, registry, "zk-scheduler-election-");
    this.latch =
        new LeaderLatch(client, layout.latch(), memberId, LeaderLatch.CloseMode.NOTIFY_LEADER);
  }

  /**
   * @throws LeadershipConflictException if a node of another member id leads without an election
   */
  @Override
  void join() throws Exception {
    List<String> solos = liveSoloMembers();
    if (!solos.isEmpty()) {
      throw new LeadershipConflictException(
          memberId + " refuses to start with leaderElection: true: " + describe(solos) + ADVICE);
    }
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            take();
          }

          @Override
          public void notLeader() {
            end("the latch says this node no longer leads");
          }
        },
        events());
    latch.start();
    log.info("{} joined the leader election at {}", memberId, layout.latch());
  }

  /** The latch node while the latch names this node, unless a solo node is live (see above). */
  @Override
  String claimPath() throws Exception {
    String ourPath =
        latch.getLastPathIsLeader() != null ? latch.getLastPathIsLeader() : latch.getOurPath();
    if (ourPath == null || !latch.hasLeadership()) {
      // Not this node's turn: whether a solo node is live is the latch leader's concern.
      stopStandingAside();
      return null;
    }
    List<String> solos = liveSoloMembers();
    if (!solos.isEmpty()) {
      String why = describe(solos);
      if (standAside(why)) {
        log.error(
            "{} is named leader by the latch but takes no term while {}{}; it tries again every {}"
                + " ms",
            memberId,
            why,
            ADVICE,
            RETAKE_MS);
      }
      retakeLater();
      return null;
    }
    if (stopStandingAside()) {
      log.info("{}: no node leads without an election any more; taking a term", memberId);
    }
    return ourPath;
  }

  /** Member ids of live solo claims other than this node's own (a previous incarnation). */
  private List<String> liveSoloMembers() throws Exception {
    return Claimants.soloClaims(client, layout).stream()
        .map(Claimants.SoloClaim::memberId)
        .filter(id -> !id.equals(memberId))
        .distinct()
        .toList();
  }

  private String describe(List<String> solos) {
    return "namespace "
        + Claimants.namespace(client)
        + " has a live node leading without an election (leaderElection: false): "
        + solos;
  }

  @Override
  String describeClaim(String path) {
    return " (latch node " + path + ")";
  }

  @Override
  Level raceLevel() {
    return Level.INFO;
  }

  /** A new term, with a new epoch, only if the latch still names this node: never the old one. */
  @Override
  void afterFenced(String reason) {
    if (leadsByLatch()) {
      take();
    }
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

  /** Closing with NOTIFY_LEADER passes leadership at once, instead of after a session timeout. */
  @Override
  void leave() {
    if (latch.getState() != LeaderLatch.State.STARTED) {
      // A start refused before joining: there is no latch to leave.
      return;
    }
    try {
      latch.close();
    } catch (Exception e) {
      log.warn("closing the leader latch of {} failed: {}", memberId, e.toString());
    }
    log.info("{} left the leader election", memberId);
  }
}
