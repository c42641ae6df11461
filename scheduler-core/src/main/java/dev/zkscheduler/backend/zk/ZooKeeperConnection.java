package dev.zkscheduler.backend.zk;

import com.google.common.base.Preconditions;
import org.apache.curator.framework.CuratorFramework;

/**
 * How a scheduler reaches ZooKeeper: a connect string (the scheduler builds, owns and closes its
 * client) or the caller's own started Curator client (namespaced by the scheduler, never closed by
 * it). Keeps Curator's types out of the scheduler's builder.
 */
public final class ZooKeeperConnection {

  private final String connectString;
  private final CuratorFramework client;

  private ZooKeeperConnection(String connectString, CuratorFramework client) {
    this.connectString = connectString;
    this.client = client;
  }

  /** The ensemble, e.g. {@code zk1:2181,zk2:2181,zk3:2181}. */
  public static ZooKeeperConnection to(String connectString) {
    Preconditions.checkArgument(
        connectString != null && !connectString.isBlank(), "connectString must not be empty");
    return new ZooKeeperConnection(connectString, null);
  }

  /** The caller's started client, not namespaced: the scheduler applies its namespace. */
  public static ZooKeeperConnection sharing(CuratorFramework client) {
    Preconditions.checkArgument(client != null, "client must not be null");
    return new ZooKeeperConnection(null, client);
  }

  /** Null when the caller shares its own client. */
  public String connectString() {
    return connectString;
  }

  /** Null when the scheduler builds its own client. */
  public CuratorFramework client() {
    return client;
  }
}
