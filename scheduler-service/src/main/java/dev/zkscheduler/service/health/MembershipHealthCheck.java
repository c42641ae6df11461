package dev.zkscheduler.service.health;

import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import java.util.function.Supplier;

/**
 * Healthy while this node is connected to ZooKeeper and listed among the cluster's members: the
 * leader only assigns attempts to members, and a load balancer should only send calls to a node
 * that can answer them from ZooKeeper. The connection is checked first, so that the check answers
 * at once during an outage instead of waiting for a ZooKeeper read to time out.
 */
public final class MembershipHealthCheck extends HealthCheck {

  private final Supplier<Result> connection;
  private final Supplier<ClusterStatus> cluster;

  /**
   * @param connection the ZooKeeper connection check's result
   * @param cluster reads the cluster's view; may throw when ZooKeeper cannot be read
   */
  public MembershipHealthCheck(Supplier<Result> connection, Supplier<ClusterStatus> cluster) {
    this.connection = connection;
    this.cluster = cluster;
  }

  @Override
  protected Result check() {
    Result connected = connection.get();
    if (!connected.isHealthy()) {
      return Result.unhealthy("not a member while not connected: " + connected.getMessage());
    }
    ClusterStatus status = cluster.get();
    boolean member = status.members().stream().anyMatch(m -> m.id().equals(status.selfId()));
    return member
        ? Result.healthy("member " + status.selfId() + " of " + status.members().size())
        : Result.unhealthy(status.selfId() + " is not registered as a member");
  }
}
