package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Dag;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ScheduleState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The leader's view of one job: its definition, its DAG and its persisted schedule progress. */
final class JobEntry {

  final JobDefinition job;
  final int definitionVersion;
  final RunProgress progress;

  /** Null until the leader first persists it. */
  Versioned<ScheduleState> state;

  JobEntry(Versioned<JobDefinition> definition, Versioned<ScheduleState> state) {
    this.job = definition.value();
    this.definitionVersion = definition.version();
    this.progress = progressOf(job);
    this.state = state;
  }

  static RunProgress progressOf(JobDefinition job) {
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    Map<String, TriggerRule> rules = new HashMap<>();
    for (TaskDefinition task : job.tasks()) {
      dependsOn.put(task.id(), task.dependsOn());
      rules.put(task.id(), task.triggerRule());
    }
    return new RunProgress(Dag.of(dependsOn), rules);
  }
}
