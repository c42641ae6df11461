package dev.zkscheduler.testing;

import dev.zkscheduler.zk.ReadBatches;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

/** Curator clients with the short timeouts that keep ZooKeeper tests fast. */
public final class ZkClients {

  /** Session timeout of test clients: failures surface within seconds. */
  public static final int SESSION_TIMEOUT_MS = 3_000;

  public static final int CONNECTION_TIMEOUT_MS = 1_000;

  private ZkClients() {}

  /** A started client, namespaced like a real node. */
  public static CuratorFramework started(String connectString, String namespace) {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .namespace(namespace)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
            .retryPolicy(new RetryNTimes(3, 200))
            // Keep clients on the address they were given (a TcpProxy), never the ensemble's own.
            .ensembleTracker(false)
            // As a node's own client: bulk reads then go in batches, as they do in production.
            .zkClientConfig(ReadBatches.clientConfig())
            .build();
    client.start();
    return client;
  }
}
