package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.ClusterStatus;

/**
 * The cluster as ZooKeeper sees it now, for any node to serve: the leader, the epoch znode's
 * version and the live members. Thread-safe; every call reads ZooKeeper.
 */
public final class ClusterView {

  private final ZkLeadership election;
  private final Membership membership;
  private final dev.zkscheduler.cluster.Workers workers;

  public ClusterView(
      ZkLeadership election, Membership membership, dev.zkscheduler.cluster.Workers workers) {
    this.election = election;
    this.membership = membership;
    this.workers = workers;
  }

  public ClusterStatus status() throws Exception {
    java.util.Map<String, Integer> running = workers.running();
    return new ClusterStatus(
        election.leaderId(),
        election.clusterEpoch(),
        election.memberId(),
        election.currentTerm().isPresent(),
        membership.members(),
        workers.live().values().stream()
            .sorted(java.util.Comparator.comparing(dev.zkscheduler.cluster.WorkerInfo::name))
            .map(w -> new ClusterStatus.WorkerLoad(w, running.getOrDefault(w.name(), 0)))
            .toList());
  }
}
