package dev.zkscheduler.job;

import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A job as the user defines it: its schedule and its tasks (a DAG; a single-task job is a one-task
 * DAG), with job-level retry and timeout defaults that tasks may override.
 *
 * <p>Optional fields are {@code null} in the record and exposed as {@link Optional} by the
 * accessors named {@code ...Opt}. The shape is the one in API.md.
 */
public record JobDefinition(
    String id,
    String description,
    Schedule schedule,
    List<TaskDefinition> tasks,
    RetryPolicy retry,
    Duration timeout,
    MisfirePolicy misfirePolicy,
    int catchUpLimit,
    ConcurrencyPolicy concurrencyPolicy,
    boolean paused) {

  public JobDefinition {
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }

  public Optional<Schedule> scheduleOpt() {
    return Optional.ofNullable(schedule);
  }
}
