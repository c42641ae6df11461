package dev.zkscheduler.cluster;

import java.util.Optional;

/**
 * Who leads, as the engine sees it. {@code LeaderElection} implements it on ZooKeeper; tests may
 * implement it by hand. Thread-safe.
 */
public interface Leadership {

  /** The current term if this node leads and the term is still current locally; else empty. */
  Optional<LeaderTerm> currentTerm();

  /**
   * Listeners are called on one dedicated thread, in order, never on ZooKeeper's event thread.
   * {@code termEnded} is called exactly once for every {@code termStarted}.
   */
  void addListener(LeadershipListener listener);

  /**
   * Ends {@code term} locally, e.g. after a fenced write was refused. Idempotent; a no-op for a
   * term that is not the current one. The node may lead again later, but only with a new term.
   */
  void endTerm(LeaderTerm term, String reason);
}
