package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** config.yml: see docs/configuration.md. */
public class SchedulerConfiguration extends Configuration {

  @Valid @NotNull @JsonProperty public ZooKeeperFactory zookeeper = new ZooKeeperFactory();

  @Valid @NotNull @JsonProperty public SchedulerFactory scheduler = new SchedulerFactory();

  @Valid @NotNull @JsonProperty public TasksFactory tasks = new TasksFactory();

  @Valid @NotNull @JsonProperty public AuthFactory auth = new AuthFactory();

  @Valid @NotNull @JsonProperty public LimitsFactory limits = new LimitsFactory();

  @Valid @NotNull @JsonProperty public PrometheusFactory prometheus = new PrometheusFactory();

  @Valid @NotNull @JsonProperty public ProbesFactory probes = new ProbesFactory();

  /** Leaves every error to the API's own mapper, so that all of them get the JSON error body. */
  public void disableDefaultExceptionMappers() {
    if (getServerFactory() instanceof DefaultServerFactory server) {
      server.setRegisterDefaultExceptionMappers(false);
    }
  }

  /** The port of the API, or 0 when the server is not configured with an HTTP connector. */
  public int applicationPort() {
    if (getServerFactory() instanceof DefaultServerFactory server
        && server.getApplicationConnectors().get(0) instanceof HttpConnectorFactory http) {
      return http.getPort();
    }
    return 0;
  }

  /** The port of the admin servlets (health, metrics), or 0 as for {@link #applicationPort}. */
  public int adminPort() {
    if (getServerFactory() instanceof DefaultServerFactory server
        && server.getAdminConnectors().get(0) instanceof HttpConnectorFactory http) {
      return http.getPort();
    }
    return 0;
  }
}
