package dev.zkscheduler.cluster;

import java.util.List;

/**
 * The cluster as ZooKeeper sees it now: the leader's member id (null while nobody leads), the
 * current epoch, this node and the live members.
 */
public record ClusterStatus(
    String leaderId, long epoch, String selfId, boolean selfLeader, List<Member> members) {

  public ClusterStatus {
    members = List.copyOf(members);
  }
}
