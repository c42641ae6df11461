package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.zk.ZkLeaderTerm;

/** Test access to terms: a copy of a term that its holder still believes in. */
public final class Terms {

  private Terms() {}

  /**
   * A term with the same latch node and epoch as {@code term} but locally still current — what a
   * node that missed its demotion (GC pause, partition) would hold. Only ZooKeeper can refuse it.
   */
  public static ZkLeaderTerm stillBelieved(ZkLeaderTerm term, Leadership owner) {
    return new ZkLeaderTerm(
        term.epochVersion(), term.latchPath(), term.memberId(), term.startedAt(), owner);
  }
}
