package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.service.errors.BodyLimitFilter;
import dev.zkscheduler.service.errors.DrainRequestBodyFilter;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Request limits. */
public class LimitsFactory {

  /** Largest accepted request body; larger ones get 413 before they are parsed. */
  @Min(1024)
  @Max(1024 * 1024)
  @JsonProperty
  public int maxBodyBytes = 128 * 1024;

  /** Enforces the limits on every request of the API. */
  public void build(JerseyEnvironment jersey) {
    jersey.register(new BodyLimitFilter(maxBodyBytes));
    jersey.register(new DrainRequestBodyFilter(maxBodyBytes));
  }
}
