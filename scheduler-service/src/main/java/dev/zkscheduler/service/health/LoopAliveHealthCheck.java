package dev.zkscheduler.service.health;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The liveness view of the scheduler loop: unhealthy only when the loop has not ticked for {@code
 * limit}. The core's {@code scheduler-loop} check allows a few seconds, which is right for an
 * operator's dashboard but not for a restart: during a ZooKeeper outage a leader's tick waits in
 * ZooKeeper calls until the client gives up (several seconds, more with longer timeouts), and a
 * restart would not help it. A loop that is stuck for good stays stuck past any limit.
 *
 * <p>Reads the loop's age from the tick-age gauge the scheduler registers (milliseconds, -1 before
 * the first tick), so it needs nothing of the engine beyond its published metric.
 */
public final class LoopAliveHealthCheck extends HealthCheck {

  private final Supplier<Gauge<?>> tickAge;
  private final Duration limit;

  /**
   * @param tickAge the tick-age gauge, or null while none is registered
   */
  public LoopAliveHealthCheck(Supplier<Gauge<?>> tickAge, Duration limit) {
    this.tickAge = tickAge;
    this.limit = limit;
  }

  @Override
  protected Result check() {
    Gauge<?> gauge = tickAge.get();
    if (gauge == null || !(gauge.getValue() instanceof Number value) || value.longValue() < 0) {
      return Result.unhealthy("the scheduler loop has not ticked yet");
    }
    long ageMillis = value.longValue();
    return ageMillis <= limit.toMillis()
        ? Result.healthy("last tick " + ageMillis + " ms ago")
        : Result.unhealthy(
            "last tick " + ageMillis + " ms ago (liveness limit " + limit.toMillis() + " ms)");
  }
}
