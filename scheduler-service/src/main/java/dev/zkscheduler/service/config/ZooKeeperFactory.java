package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.SchedulerBuilder;
import dev.zkscheduler.service.zookeeper.EmbeddedZooKeeper;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Where ZooKeeper is: an ensemble ({@code connectString}), or an embedded server when empty. */
public class ZooKeeperFactory {

  /** {@code host:port,host:port,...}; empty starts the embedded server. */
  @JsonProperty public String connectString = "";

  /** The cluster's namespace: one scheduler cluster per namespace. */
  @NotEmpty
  @Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,63}")
  @JsonProperty
  public String namespace = "zk-scheduler";

  /**
   * How long ZooKeeper waits before it declares a silent node dead: the failover time after a crash
   * is about this long. See docs/operations.md.
   */
  @NotNull
  @MinDuration(value = 2, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 60, unit = TimeUnit.SECONDS)
  @JsonProperty
  public Duration sessionTimeout = Duration.seconds(10);

  @NotNull
  @MinDuration(value = 500, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 60, unit = TimeUnit.SECONDS)
  @JsonProperty
  public Duration connectionTimeout = Duration.seconds(5);

  /**
   * False: this node leads without an election (single-node use only). It refuses to start while
   * another live node leads the namespace without an election or takes part in its election, and
   * stands aside for good if another node takes a newer term. Writes stay fenced either way.
   */
  @JsonProperty public boolean leaderElection = true;

  /** Optional ZooKeeper digest identity; when set, all scheduler znodes are ACL'd to it. */
  @Valid @JsonProperty public Digest digest;

  @NotNull @JsonProperty public Embedded embedded = new Embedded();

  /** ZooKeeper digest authentication ({@code addauth digest user:password}). */
  public static class Digest {
    @NotEmpty
    @Pattern(regexp = "[^:]+", message = "must not contain ':'")
    @JsonProperty
    public String username;

    @NotEmpty
    @Size(min = 12, message = "must be at least 12 characters")
    @JsonProperty
    public String password;
  }

  /** The embedded server used when {@code connectString} is empty. */
  public static class Embedded {
    @NotEmpty @JsonProperty public String dataDir = "./var/zookeeper";

    @Min(1)
    @Max(65535)
    @JsonProperty
    public int port = 2191;

    @Min(100)
    @Max(10_000)
    @JsonProperty
    public int tickTimeMs = 500;
  }

  public boolean isEmbedded() {
    return connectString == null || connectString.isBlank();
  }

  /**
   * Where this node finds ZooKeeper: the configured ensemble, or the embedded server, which is
   * started and stopped with the service.
   */
  public Ensemble build(Environment environment) {
    if (!isEmbedded()) {
      return new Ensemble(connectString, "(external ensemble)");
    }
    Path dataDir = Path.of(embedded.dataDir);
    EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dataDir, embedded.port, embedded.tickTimeMs);
    environment.lifecycle().manage(zk);
    return new Ensemble(zk.connectString(), dataDir.toAbsolutePath().normalize().toString());
  }

  /** A scheduler builder that connects to {@code ensemble} with these settings. */
  public SchedulerBuilder connect(Ensemble ensemble) {
    SchedulerBuilder builder =
        Scheduler.builder()
            .connectString(ensemble.connectString())
            .namespace(namespace)
            .sessionTimeout(java.time.Duration.ofMillis(sessionTimeout.toMilliseconds()))
            .connectionTimeout(java.time.Duration.ofMillis(connectionTimeout.toMilliseconds()))
            .leaderElection(leaderElection);
    if (digest != null) {
      builder.digestAuth(digest.username, digest.password);
    }
    return builder;
  }

  /**
   * @param dataDir where the embedded server keeps its data, for the operator reading the log
   */
  public record Ensemble(String connectString, String dataDir) {}
}
