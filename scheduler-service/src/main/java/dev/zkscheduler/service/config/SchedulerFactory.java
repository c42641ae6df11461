package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.SchedulerBuilder;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.engine.NodeRoles;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.service.lifecycle.ManagedScheduler;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The engine's settings; defaults are those of {@link EngineSettings#DEFAULT}. */
public class SchedulerFactory {

  /** Unique among live nodes; empty means {@code <host>-<port>}. */
  @Pattern(regexp = "|[a-z0-9][a-z0-9._-]{0,127}")
  @JsonProperty
  public String instanceId = "";

  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 10, unit = TimeUnit.SECONDS)
  @JsonProperty
  public Duration tickInterval = Duration.milliseconds(50);

  @Min(1)
  @Max(1024)
  @JsonProperty
  public int taskThreads = 8;

  @Min(1)
  @Max(10_000)
  @JsonProperty
  public int retainedRuns = 50;

  /** For jobs without their own {@code misfireThreshold}, which overrides it. */
  @NotNull
  @MaxDuration(value = 1, unit = TimeUnit.DAYS)
  @JsonProperty
  public Duration misfireThreshold = Duration.seconds(60);

  /**
   * No longer used: attempts run on workers and outlive leader terms. Still accepted, so that
   * configuration files written for earlier releases keep loading.
   */
  @NotNull @JsonProperty
  public EngineSettings.TermLossPolicy onTermLoss = EngineSettings.TermLossPolicy.CANCEL;

  /**
   * What this node does: {@code both} (lead when elected, and run attempts), {@code scheduler}
   * (lead, run nothing) or {@code worker} (run the attempts the leader assigns; never lead).
   */
  @NotNull
  @Pattern(regexp = "both|scheduler|worker", message = "must be one of both, scheduler, worker")
  @JsonProperty
  public String role = "both";

  @NotNull
  @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
  @JsonProperty
  public Duration shutdownTimeout = Duration.seconds(10);

  public EngineSettings settings() {
    return EngineSettings.DEFAULT
        .withTickInterval(java.time.Duration.ofMillis(tickInterval.toMilliseconds()))
        .withTaskThreads(taskThreads)
        .withRetainedRuns(retainedRuns)
        .withMisfireThreshold(java.time.Duration.ofMillis(misfireThreshold.toMilliseconds()))
        .withOnTermLoss(onTermLoss)
        .withShutdownTimeout(java.time.Duration.ofMillis(shutdownTimeout.toMilliseconds()));
  }

  /**
   * The scheduler of this node, started and stopped with the service. It reports its metrics and
   * health checks to Dropwizard's registries.
   *
   * @param connected a builder already connected to ZooKeeper
   * @param port the API port, which other nodes and operators see in the member list
   * @param version this node's software version, registered with its membership
   */
  public Scheduler build(
      Environment environment,
      SchedulerBuilder connected,
      Map<String, TaskHandler> handlers,
      int port,
      String version) {
    connected
        .memberId(instanceId(port))
        .address(hostName() + ":" + port)
        .version(version)
        .metrics(environment.metrics())
        .healthChecks(environment.healthChecks())
        .roles(NodeRoles.parse(role))
        .settings(settings());
    handlers.forEach(connected::handler);
    Scheduler scheduler = connected.build();
    environment.lifecycle().manage(new ManagedScheduler(scheduler));
    return scheduler;
  }

  /** The configured instance id, or {@code <host>-<port>}. */
  public String instanceId(int port) {
    if (instanceId != null && !instanceId.isBlank()) {
      return instanceId;
    }
    String host = hostName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    return (host.isEmpty() ? "node" : host) + "-" + port;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
