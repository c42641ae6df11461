package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Unhealthy when the tick loop has not ticked within {@code stale}: a loop that died or hangs stops
 * firing on a leader and stops noticing leadership on a follower, and nothing else would say so.
 */
public final class SchedulerLoopHealthCheck extends HealthCheck {

  private final Supplier<Optional<Instant>> lastTick;
  private final Clock clock;
  private final Duration stale;

  public SchedulerLoopHealthCheck(
      Supplier<Optional<Instant>> lastTick, Clock clock, Duration stale) {
    this.lastTick = lastTick;
    this.clock = clock;
    this.stale = stale;
  }

  @Override
  protected Result check() {
    Instant last = lastTick.get().orElse(null);
    if (last == null) {
      return Result.unhealthy("the scheduler loop has not ticked yet");
    }
    Duration age = Duration.between(last, clock.instant());
    return age.compareTo(stale) <= 0
        ? Result.healthy("last tick " + age.toMillis() + " ms ago")
        : Result.unhealthy(
            "last tick " + age.toMillis() + " ms ago (limit " + stale.toMillis() + " ms)");
  }
}
