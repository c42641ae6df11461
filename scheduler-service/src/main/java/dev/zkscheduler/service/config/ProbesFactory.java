package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.service.health.Probes;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** The liveness and readiness probes on the admin port (docs/operations.md, "Probes"). */
public class ProbesFactory {

  /**
   * How long the scheduler loop may go without a tick before {@code /health/live} fails. Longer
   * than a leader tick can wait on an unreachable ZooKeeper, so an outage does not fail it.
   */
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 1, unit = TimeUnit.HOURS)
  @JsonProperty
  public Duration livenessTickAge = Duration.seconds(60);

  public void build(Environment environment, Scheduler scheduler) {
    Probes.register(
        environment, scheduler, java.time.Duration.ofMillis(livenessTickAge.toMilliseconds()));
  }
}
