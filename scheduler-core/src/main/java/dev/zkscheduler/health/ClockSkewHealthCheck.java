package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Unhealthy when this node's clock was last measured more than {@code limit} away from ZooKeeper's:
 * a leader computes run and attempt deadlines and fire times on its own clock, so they are off by
 * as much, and only a comparison with a clock outside the node can tell.
 */
public final class ClockSkewHealthCheck extends HealthCheck {

  private final Supplier<Optional<Duration>> skew;
  private final Duration limit;

  /**
   * @param skew this node's clock minus ZooKeeper's (positive when ahead), empty until measured
   * @param limit the largest skew, either way, that is still healthy
   */
  public ClockSkewHealthCheck(Supplier<Optional<Duration>> skew, Duration limit) {
    if (limit.isNegative()) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.skew = skew;
    this.limit = limit;
  }

  @Override
  protected Result check() {
    Duration measured = skew.get().orElse(null);
    if (measured == null) {
      // Measured when the node takes a term: a follower that never led has nothing to report.
      return Result.healthy("not measured yet (measured when this node takes a term)");
    }
    String what =
        "this node's clock is "
            + describe(measured.toMillis())
            + " ZooKeeper's (limit "
            + limit.toMillis()
            + " ms)";
    return measured.abs().compareTo(limit) > 0
        ? Result.unhealthy(
            what + ": deadlines and fire times computed here are off by as much; fix time sync")
        : Result.healthy(what);
  }

  private static String describe(long skewMillis) {
    return skewMillis >= 0 ? skewMillis + " ms ahead of" : -skewMillis + " ms behind";
  }
}
