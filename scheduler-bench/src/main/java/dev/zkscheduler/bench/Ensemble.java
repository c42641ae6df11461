package dev.zkscheduler.bench;

import dev.zkscheduler.zk.ReadBatches;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * Real ZooKeeper servers inside this JVM (Curator's test servers run ZooKeeper's own server code):
 * a 3-server ensemble on loopback, or one standalone server like the service's embedded one. They
 * share this machine's cores with the scheduler, as a co-located ensemble would.
 */
final class Ensemble implements Closeable {

  private final TestingCluster cluster;
  private final TestingServer single;
  final String name;

  private Ensemble(TestingCluster cluster, TestingServer single, String name) {
    this.cluster = cluster;
    this.single = single;
    this.name = name;
  }

  static Ensemble threeServers() throws Exception {
    TestingCluster cluster = new TestingCluster(3);
    cluster.start();
    return new Ensemble(cluster, null, "3-server ensemble (loopback)");
  }

  static Ensemble oneServer() throws Exception {
    return new Ensemble(null, new TestingServer(true), "single server (as embedded)");
  }

  /** A started client of {@code connectString} (namespace null: the root), as a user's would be. */
  static CuratorFramework client(String connectString, String namespace)
      throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .namespace(namespace)
            .retryPolicy(new RetryOneTime(100))
            .ensembleTracker(false)
            // As a node's own client: a full batch of reads fits one response.
            .zkClientConfig(ReadBatches.clientConfig())
            .build();
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("could not connect to " + connectString);
    }
    return client;
  }

  String connectString() {
    return cluster != null ? cluster.getConnectString() : single.getConnectString();
  }

  /** Client ports, one per server, for proxies. */
  int[] ports() {
    if (cluster == null) {
      return new int[] {single.getPort()};
    }
    return cluster.getInstances().stream().mapToInt(InstanceSpec::getPort).toArray();
  }

  @Override
  public void close() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    if (single != null) {
      single.close();
    }
  }
}
