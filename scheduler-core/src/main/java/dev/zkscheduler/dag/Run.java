package dev.zkscheduler.dag;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run of a job: its identity (job id, nominal fire instant, trigger), its state and the state of
 * each task, in the job's topological order. {@code epoch} is the leader term that created it.
 * {@code dag} is the job's DAG as the run was created with it, which drives the run to its end
 * whatever the job becomes meanwhile; null for runs stored before runs kept their DAG.
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
    Map<String, TaskRun> tasks,
    PinnedDag dag) {

  public Run {
    tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
  }

  /** A run without its DAG, as runs were stored before they kept it. */
  public Run(
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
    this(
        id,
        jobId,
        nominalTime,
        trigger,
        state,
        createdAt,
        startedAt,
        finishedAt,
        epoch,
        tasks,
        null);
  }

  /** This run with {@code tasks} in place of its own, in state {@code state}. */
  public Run with(
      RunState state, Instant startedAt, Instant finishedAt, Map<String, TaskRun> tasks) {
    return new Run(
        id,
        jobId,
        nominalTime,
        trigger,
        state,
        createdAt,
        startedAt,
        finishedAt,
        epoch,
        tasks,
        dag);
  }
}
