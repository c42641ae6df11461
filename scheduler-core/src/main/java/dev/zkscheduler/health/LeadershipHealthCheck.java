package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Leadership;
import java.util.function.Supplier;

/**
 * Says whether this node leads, and is unhealthy when it holds a term while the cluster's view
 * names another leader (two nodes that both believe they lead is the failure fencing exists for; an
 * operator should hear of it even though fencing keeps it harmless).
 */
public final class LeadershipHealthCheck extends HealthCheck {

  private final Leadership leadership;
  private final Supplier<ClusterStatus> cluster;

  /** {@code cluster} reads the cluster's view; it may throw when the view cannot be read. */
  public LeadershipHealthCheck(Leadership leadership, Supplier<ClusterStatus> cluster) {
    this.leadership = leadership;
    this.cluster = cluster;
  }

  @Override
  protected Result check() {
    boolean leads = leadership.currentTerm().isPresent();
    ClusterStatus status = cluster.get();
    if (leads && !status.selfId().equals(status.leaderId())) {
      return Result.unhealthy("this node holds a term but the latch names " + status.leaderId());
    }
    return Result.healthy(
        leads ? "leader, epoch " + status.epoch() : "follower of " + status.leaderId());
  }
}
