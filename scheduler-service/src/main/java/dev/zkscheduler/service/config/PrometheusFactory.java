package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** What {@code /metrics/prometheus} reports beyond the defaults. */
public class PrometheusFactory {

  /**
   * Jobs to report {@code zkscheduler_job_last_success_timestamp_seconds} for. Each scrape reads
   * their retained runs from ZooKeeper, so list the jobs you alert on, not all of them.
   */
  @NotNull
  @Size(max = 100)
  @JsonProperty
  public List<@NotNull String> lastSuccessJobs = List.of();
}
