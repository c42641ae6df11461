package dev.zkscheduler.backend.zk;

import com.google.common.base.Preconditions;
import dev.zkscheduler.engine.NodeRoles;
import dev.zkscheduler.store.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;

/**
 * How a node reaches its cluster on ZooKeeper. Exactly one of {@code connectString} (the backend
 * builds, owns and closes the client) and {@code client} (the caller's started client, namespaced
 * here and never closed). {@code digest} ({@code user:password}) applies only to a client built
 * here: every znode it creates is then readable and writable by that identity alone.
 */
public record ZooKeeperSettings(
    String connectString,
    CuratorFramework client,
    String namespace,
    Duration sessionTimeout,
    Duration connectionTimeout,
    String digest,
    boolean leaderElection,
    String memberId,
    String address,
    String version,
    Clock clock,
    StoreLimits limits,
    NodeRoles roles) {

  /** A node that both leads when elected and runs attempts. */
  public ZooKeeperSettings(
      String connectString,
      CuratorFramework client,
      String namespace,
      Duration sessionTimeout,
      Duration connectionTimeout,
      String digest,
      boolean leaderElection,
      String memberId,
      String address,
      String version,
      Clock clock,
      StoreLimits limits) {
    this(
        connectString,
        client,
        namespace,
        sessionTimeout,
        connectionTimeout,
        digest,
        leaderElection,
        memberId,
        address,
        version,
        clock,
        limits,
        NodeRoles.BOTH);
  }

  public ZooKeeperSettings {
    Preconditions.checkArgument(
        (connectString == null) != (client == null),
        "exactly one of connectString and a Curator client");
    Preconditions.checkArgument(
        digest == null || connectString != null,
        "digestAuth() applies to the client built from connectString(); configure your own"
            + " Curator client's authorization yourself");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(limits, "limits");
  }

  /** The ensemble as log lines and health checks name it (never the credentials). */
  String describe() {
    return connectString != null ? connectString : "the provided Curator client";
  }
}
