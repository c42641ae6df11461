package dev.zkscheduler.backend.zk;

import dev.zkscheduler.zk.ReadBatches;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/** Builds the Curator client a {@link ZooKeeperBackend} owns. */
final class ZooKeeperClients {

  private ZooKeeperClients() {}

  static CuratorFramework newClient(ZooKeeperSettings settings) {
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
    if (settings.digest() != null) {
      builder
          .authorization("digest", settings.digest().getBytes(StandardCharsets.UTF_8))
          .aclProvider(new CreatorOnly());
    }
    return builder
        .connectString(settings.connectString())
        .namespace(settings.namespace())
        .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
        .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
        .retryPolicy(new ExponentialBackoffRetry(200, 5, 2_000))
        // The configured connect string is authoritative: Curator's ensemble tracker would replace
        // it with the servers' own addresses from /zookeeper/config, bypassing whatever the
        // operator put in between (a proxy, a DNS name, a firewall rule).
        .ensembleTracker(false)
        // Bulk reads go as multi-reads whose responses exceed ZooKeeper's default client packet
        // limit in the worst case (ReadBatches): a response over the limit drops the connection.
        .zkClientConfig(ReadBatches.clientConfig())
        .build();
  }

  /** Every znode readable and writable by the identity that created it, and nobody else. */
  private static final class CreatorOnly implements ACLProvider {
    @Override
    public List<ACL> getDefaultAcl() {
      return ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
      return ZooDefs.Ids.CREATOR_ALL_ACL;
    }
  }
}
