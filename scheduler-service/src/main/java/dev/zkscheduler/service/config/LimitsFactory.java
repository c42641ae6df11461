package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Request limits. */
public class LimitsFactory {

  /** Largest accepted request body; larger ones get 413 before they are parsed. */
  @Min(1024)
  @Max(1024 * 1024)
  @JsonProperty
  public int maxBodyBytes = 128 * 1024;
}
