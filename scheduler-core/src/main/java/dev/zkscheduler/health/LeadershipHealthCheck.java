package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Leadership;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Says whether this node leads. Unhealthy when it holds a term while the cluster's view names
 * another leader (two nodes that both believe they lead is the failure fencing exists for; an
 * operator should hear of it even though fencing keeps it harmless), and when it stands aside: it
 * does not take terms although configured to, because another live node leads in a way it must not
 * lead next to (leader election off on more than one node, or next to electing nodes).
 */
public final class LeadershipHealthCheck extends HealthCheck {

  private final Leadership leadership;
  private final Supplier<ClusterStatus> cluster;
  private final Supplier<Optional<String>> standingAside;

  /** For a leadership that never stands aside. */
  public LeadershipHealthCheck(Leadership leadership, Supplier<ClusterStatus> cluster) {
    this(leadership, cluster, Optional::empty);
  }

  /**
   * @param cluster reads the cluster's view; it may throw when the view cannot be read
   * @param standingAside why this node stands aside, empty while it takes part normally
   */
  public LeadershipHealthCheck(
      Leadership leadership,
      Supplier<ClusterStatus> cluster,
      Supplier<Optional<String>> standingAside) {
    this.leadership = leadership;
    this.cluster = cluster;
    this.standingAside = standingAside;
  }

  @Override
  protected Result check() {
    Optional<String> aside = standingAside.get();
    if (aside.isPresent()) {
      return Result.unhealthy("this node stands aside and takes no term: " + aside.get());
    }
    boolean leads = leadership.currentTerm().isPresent();
    ClusterStatus status = cluster.get();
    if (leads && !status.selfId().equals(status.leaderId())) {
      return Result.unhealthy("this node holds a term but the latch names " + status.leaderId());
    }
    return Result.healthy(
        leads ? "leader, epoch " + status.epoch() : "follower of " + status.leaderId());
  }
}
