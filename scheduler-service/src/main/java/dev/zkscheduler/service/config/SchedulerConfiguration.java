package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** config.yml: see docs/configuration.md. */
public class SchedulerConfiguration extends Configuration {

  @Valid @NotNull @JsonProperty public ZooKeeperFactory zookeeper = new ZooKeeperFactory();

  @Valid @NotNull @JsonProperty public SchedulerFactory scheduler = new SchedulerFactory();

  @Valid @NotNull @JsonProperty public TasksFactory tasks = new TasksFactory();

  @Valid @NotNull @JsonProperty public AuthFactory auth = new AuthFactory();

  @Valid @NotNull @JsonProperty public LimitsFactory limits = new LimitsFactory();
}
