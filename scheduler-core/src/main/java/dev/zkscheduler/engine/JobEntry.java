package dev.zkscheduler.engine;

import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ScheduleState;

/**
 * The leader's view of one job: its definition, the plan its new runs are created with (and keep)
 * and its persisted schedule progress.
 */
final class JobEntry {

  final JobDefinition job;
  final int definitionVersion;

  /** The definition record's creation identity ({@link Versioned#created}; 0 when not known). */
  final long created;

  /** What runs created from this definition are driven by; they carry its DAG. */
  final RunPlan plan;

  /** {@code plan.progress}: creates runs that carry this definition's DAG. */
  final dev.zkscheduler.dag.RunProgress progress;

  /** Null until the leader first persists it. */
  Versioned<ScheduleState> state;

  JobEntry(Versioned<JobDefinition> definition, Versioned<ScheduleState> state) {
    this.job = definition.value();
    this.definitionVersion = definition.version();
    this.created = definition.created();
    this.plan = RunPlan.of(RunPlan.pin(job, created));
    this.progress = plan.progress;
    this.state = state;
  }
}
