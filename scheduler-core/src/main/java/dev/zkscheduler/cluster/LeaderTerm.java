package dev.zkscheduler.cluster;

import java.time.Instant;

/**
 * One term of leadership held by this node. The {@link #epoch()} is the fencing token: it is
 * strictly larger than the epoch of every earlier term in the cluster, and every scheduler-state
 * write made under this term is checked against it inside ZooKeeper.
 *
 * <p>Thread-safe. {@link #isCurrent()} is a cheap local view used to decide whether to start work;
 * it may still say {@code true} for a moment after ZooKeeper has moved on, which is why writes are
 * fenced and never rely on it.
 */
public interface LeaderTerm {

  /** The fencing token of this term. */
  long epoch();

  /** The member id of the node holding the term. */
  String memberId();

  /** When this node took the term (from the injected clock). */
  Instant startedAt();

  /** False once the term ended locally: SUSPENDED, LOST, latch closed, or a fenced write failed. */
  boolean isCurrent();
}
