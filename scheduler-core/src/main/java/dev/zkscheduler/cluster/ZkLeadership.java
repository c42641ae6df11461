package dev.zkscheduler.cluster;

/** Leadership on ZooKeeper, as the cluster view reads it. */
public interface ZkLeadership extends Leadership {

  /** The member id this node believes leads the cluster, or null when there is none. */
  String leaderId();

  /** The epoch znode's current version: the token of the newest term in the cluster. */
  long clusterEpoch() throws Exception;

  String memberId();
}
