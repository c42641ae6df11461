package dev.zkscheduler.engine;

import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What drives one run: the DAG it was created with ({@link PinnedDag}) and the state machine over
 * it. Every decision about a run — which task is ready, which handler it calls with what config,
 * how it retries, when it times out — is read here and never from the job's current definition, so
 * an edit of the job reaches only the runs created after it. Immutable.
 */
final class RunPlan {

  final PinnedDag dag;
  final RunProgress progress;

  private RunPlan(PinnedDag dag, RunProgress progress) {
    this.dag = dag;
    this.progress = progress;
  }

  /**
   * @throws dev.zkscheduler.dag.InvalidDagException if the tasks do not form a DAG
   */
  static RunPlan of(PinnedDag dag) {
    return new RunPlan(dag, RunProgress.of(dag));
  }

  /** The job's DAG as a run created now keeps it: retries and timeouts resolved. */
  static PinnedDag pin(JobDefinition job, long jobCreated) {
    Map<String, PinnedDag.Task> tasks = new LinkedHashMap<>();
    for (TaskDefinition task : job.tasks()) {
      RetryPolicy retry = job.retryOf(task);
      tasks.put(
          task.id(),
          new PinnedDag.Task(
              task.type(),
              task.config(),
              task.dependsOn(),
              task.triggerRule(),
              new PinnedDag.Retry(
                  retry.maxAttempts(),
                  retry.initialDelay(),
                  retry.multiplier(),
                  retry.maxDelay(),
                  retry.jitter()),
              job.timeoutOf(task)));
    }
    return new PinnedDag(job.timeout(), tasks, jobCreated);
  }

  PinnedDag.Task task(String taskId) {
    PinnedDag.Task task = dag.tasks().get(taskId);
    if (task == null) {
      throw new IllegalArgumentException("the run's DAG has no task '" + taskId + "'");
    }
    return task;
  }

  /**
   * @throws dev.zkscheduler.job.JobValidationException if the stored policy is not a valid one
   */
  RetryPolicy retry(String taskId) {
    PinnedDag.Retry r = task(taskId).retry();
    return new RetryPolicy(
        r.maxAttempts(), r.initialDelay(), r.multiplier(), r.maxDelay(), r.jitter());
  }

  Duration attemptTimeout(String taskId) {
    return task(taskId).timeout();
  }

  /** The run's deadline: its start (or creation) plus the run timeout it was created with. */
  boolean pastDeadline(Run run, Instant now) {
    Instant started = run.startedAt() != null ? run.startedAt() : run.createdAt();
    return !started.plus(dag.runTimeout()).isAfter(now);
  }
}
