package dev.zkscheduler.zk;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A leader term on ZooKeeper: the latch node that made this node leader and the version of the
 * epoch znode it set when taking the term. Fenced writes check both inside ZooKeeper's multi-op.
 * Thread-safe.
 */
public final class ZkLeaderTerm implements LeaderTerm {

  private final int epochVersion;
  private final String latchPath;
  private final String memberId;
  private final Instant startedAt;
  private final Leadership owner;
  private final AtomicBoolean current = new AtomicBoolean(true);

  public ZkLeaderTerm(
      int epochVersion, String latchPath, String memberId, Instant startedAt, Leadership owner) {
    this.epochVersion = epochVersion;
    this.latchPath = latchPath;
    this.memberId = memberId;
    this.startedAt = startedAt;
    this.owner = owner;
  }

  @Override
  public long epoch() {
    return epochVersion;
  }

  /** The data version of the epoch znode written when this term was taken. */
  public int epochVersion() {
    return epochVersion;
  }

  /** This node's latch node for the term; it exists exactly as long as the session that won. */
  public String latchPath() {
    return latchPath;
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public Instant startedAt() {
    return startedAt;
  }

  @Override
  public boolean isCurrent() {
    return current.get();
  }

  /** Ends the term locally; returns true the first time. */
  public boolean end() {
    return current.compareAndSet(true, false);
  }

  /** Tells the election that a fenced write was refused: the term is over. */
  public void fenced(String reason) {
    owner.endTerm(this, reason);
  }

  @Override
  public String toString() {
    return "term(epoch="
        + epochVersion
        + ", member="
        + memberId
        + ", current="
        + current.get()
        + ")";
  }
}
