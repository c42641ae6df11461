package dev.zkscheduler.cluster;

import java.util.List;

/**
 * The cluster as ZooKeeper sees it now: the leader's member id (null while nobody leads), the
 * current epoch, this node, the live members and the live workers with the attempts each holds.
 */
public record ClusterStatus(
    String leaderId,
    long epoch,
    String selfId,
    boolean selfLeader,
    List<Member> members,
    List<WorkerLoad> workers) {

  /** A live worker and the attempts assigned to it that it has not reported yet. */
  public record WorkerLoad(WorkerInfo worker, int running) {}

  public ClusterStatus {
    members = List.copyOf(members);
    workers = List.copyOf(workers);
  }

  public ClusterStatus(
      String leaderId, long epoch, String selfId, boolean selfLeader, List<Member> members) {
    this(leaderId, epoch, selfId, selfLeader, members, List.of());
  }
}
