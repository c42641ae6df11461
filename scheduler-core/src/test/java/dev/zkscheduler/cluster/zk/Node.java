package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.store.zk.FencedTransaction;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.io.Closeable;
import java.time.Clock;
import org.apache.curator.framework.CuratorFramework;

/** One scheduler node's coordination parts, for cluster tests. */
final class Node implements Closeable {

  static final String NAMESPACE = "it";

  final String id;
  final CuratorFramework client;
  final LeaderElection election;
  final FencedTransaction fenced;
  final MetricRegistry metrics = new MetricRegistry();

  Node(String id, String connectString) throws Exception {
    this.id = id;
    this.client = ZkClients.started(connectString, NAMESPACE);
    this.election = new LeaderElection(client, new ZkLayout(), id, Clock.systemUTC(), metrics);
    this.fenced = new FencedTransaction(client, new ZkLayout(), metrics);
    ConnectionMetrics.register(client, metrics);
    election.start();
  }

  boolean leads() {
    return election.currentTerm().isPresent();
  }

  ZkLeaderTerm term() {
    return (ZkLeaderTerm) election.currentTerm().orElseThrow();
  }

  @Override
  public void close() {
    election.close();
    client.close();
  }
}
