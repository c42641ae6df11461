package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Leadership;
import java.io.Closeable;
import java.time.Duration;
import java.util.Optional;

/**
 * Leadership on ZooKeeper, as the cluster view reads it: a latch election or a node leading alone.
 * {@link #start()} once; {@link #close()} ends any term and releases leadership, idempotently.
 */
public interface ZkLeadership extends Leadership, Closeable {

  void start() throws Exception;

  @Override
  void close();

  /** The member id this node believes leads the cluster, or null when there is none. */
  String leaderId();

  /** The epoch znode's current version: the token of the newest term in the cluster. */
  long clusterEpoch() throws Exception;

  String memberId();

  /**
   * This node's clock minus ZooKeeper's, positive when this node is ahead, as measured when it last
   * took a term; empty before its first term.
   */
  Optional<Duration> clockSkew();

  /**
   * Why this node does not take terms although its configuration says it should: another live node
   * leads in a way this one must not lead next to. Empty while it takes part normally.
   */
  Optional<String> standingAside();
}
