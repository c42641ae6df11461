package dev.zkscheduler.cluster;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.store.FencedTransaction;
import dev.zkscheduler.store.ZkLayout;
import dev.zkscheduler.testing.ZkClients;
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
