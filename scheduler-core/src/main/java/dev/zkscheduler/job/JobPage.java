package dev.zkscheduler.job;

import java.util.List;

/** One page of job definitions ordered by id; {@code next} is the id to continue after, or null. */
public record JobPage(List<Versioned<JobDefinition>> jobs, String next) {

  public JobPage {
    jobs = List.copyOf(jobs);
  }
}
