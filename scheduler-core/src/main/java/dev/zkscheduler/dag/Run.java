package dev.zkscheduler.dag;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run of a job: its identity (job id, nominal fire instant, trigger), its state and the state of
 * each task, in the job's topological order. {@code epoch} is the leader term that created it.
 */
public record Run(
    String id,
    String jobId,
    Instant nominalTime,
    RunTrigger trigger,
    RunState state,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    long epoch,
    Map<String, TaskRun> tasks) {

  public Run {
    tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
  }
}
