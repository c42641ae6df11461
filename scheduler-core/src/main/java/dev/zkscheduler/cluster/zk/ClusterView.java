package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.ClusterStatus;

/**
 * The cluster as ZooKeeper sees it now, for any node to serve: the leader, the epoch znode's
 * version and the live members. Thread-safe; every call reads ZooKeeper.
 */
public final class ClusterView {

  private final ZkLeadership election;
  private final Membership membership;

  public ClusterView(ZkLeadership election, Membership membership) {
    this.election = election;
    this.membership = membership;
  }

  public ClusterStatus status() throws Exception {
    return new ClusterStatus(
        election.leaderId(),
        election.clusterEpoch(),
        election.memberId(),
        election.currentTerm().isPresent(),
        membership.members());
  }
}
