package dev.zkscheduler.engine;

import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.Versioned;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starting task attempts and settling their outcomes, for runs being created and runs being driven
 * alike: the start is marked in the run, the handler call is queued with {@link TermState} (which
 * calls it once the start is committed), and an outcome becomes the run's next state, with a retry
 * when the task's policy has attempts left.
 */
final class TaskAttempts {

  private final TermState state;
  private final Map<String, TaskHandler> handlers;

  TaskAttempts(TermState state, Map<String, TaskHandler> handlers) {
    this.state = state;
    this.handlers = handlers;
  }

  /**
   * Records the outcomes reported since the last tick (staged; the caller flushes), each run alone.
   */
  void recordOutcomes() {
    List<TaskRunner.Outcome> drained = state.runner().drain();
    state.recording(drained);
    for (TaskRunner.Outcome outcome : drained) {
      TaskRunner.AttemptKey key = outcome.key();
      state.forRun(
          key.jobId(),
          key.runId(),
          "recording the outcome of task '" + key.taskId() + "'",
          () -> record(outcome, outcome.timedOut()));
    }
  }

  /** {@code run} with every task of {@code starting} marked started by this leader. */
  Run markStarted(JobEntry entry, Run run, List<String> starting, Instant now) {
    RunProgress progress = state.planOf(entry, run).progress;
    Run next = run;
    for (String taskId : starting) {
      next = progress.taskStarted(next, taskId, now, state.term().memberId());
    }
    return next;
  }

  /**
   * Queues the handler calls of {@code starting}, whose start {@code started} records; a task type
   * with no handler on this node fails the attempt instead (staged).
   */
  void queueStarts(JobEntry entry, Run run, Run started, List<String> starting, Instant now) {
    TaskRunner runner = state.runner();
    RunPlan plan = state.planOf(entry, started);
    for (String taskId : starting) {
      PinnedDag.Task task = plan.task(taskId);
      TaskHandler handler = handlers.get(task.type());
      int attempt = started.tasks().get(taskId).attempts();
      TaskRunner.AttemptKey key = new TaskRunner.AttemptKey(run.jobId(), run.id(), taskId, attempt);
      if (handler == null) {
        record(
            new TaskRunner.Outcome(
                key,
                false,
                "no handler for task type '" + task.type() + "' on " + state.term().memberId(),
                now),
            false);
        continue;
      }
      Instant runDeadline =
          (started.startedAt() != null ? started.startedAt() : now).plus(plan.dag.runTimeout());
      Instant deadline = min(now.plus(task.timeout()), runDeadline);
      boolean firstStartOfRun = run.startedAt() == null;
      AttemptContext context =
          new AttemptContext(
              run.jobId(),
              run.id(),
              taskId,
              attempt,
              run.nominalTime(),
              state.term().epoch(),
              state.term().memberId(),
              task.config(),
              deadline,
              runner.lease());
      state.queueStart(
          key,
          () -> {
            // Lag is the promptness of fires that were due now; a backfill or catch-up run's
            // nominal time is in the past by design and would swamp the histogram.
            if (firstStartOfRun && run.trigger() == RunTrigger.SCHEDULE) {
              state.metrics().fireLag(Duration.between(run.nominalTime(), state.clock().instant()));
            }
            runner.start(key, handler, context);
          },
          () -> runner.hold(key, handler, context));
    }
  }

  /**
   * Stages the run change an attempt's outcome makes. A late outcome of an attempt already settled
   * (cancelled, timed out, replaced by a retry) changes nothing.
   */
  void record(TaskRunner.Outcome outcome, boolean timedOut) {
    TaskRunner.AttemptKey key = outcome.key();
    JobEntry entry = state.jobs().get(key.jobId());
    Versioned<Run> versioned = state.active().get(key.jobId(), key.runId());
    if (versioned == null) {
      return;
    }
    TaskRun task = versioned.value().tasks().get(key.taskId());
    if (task == null || task.state() != TaskState.RUNNING || task.attempts() != key.attempt()) {
      return;
    }
    RunPlan plan = state.planOf(entry, versioned.value());
    if (timedOut && plan.pastDeadline(versioned.value(), outcome.finishedAt())) {
      // The attempt's deadline was the run's: the run timed out, whichever timer (the handler's
      // own or the scheduler's) noticed first. Recorded as a task timeout it would settle FAILED.
      timeOutRun(entry, versioned, outcome.finishedAt());
      return;
    }
    Run next =
        outcome.succeeded()
            ? plan.progress.taskSucceeded(versioned.value(), key.taskId(), outcome.finishedAt())
            : failAttempt(
                plan,
                versioned.value(),
                key.taskId(),
                key.attempt(),
                outcome.error(),
                outcome.finishedAt(),
                timedOut);
    state.stage(versioned, next);
  }

  /**
   * Ends the run TIMED_OUT: running tasks TIMED_OUT (their attempts interrupted), others CANCELLED.
   */
  void timeOutRun(JobEntry entry, Versioned<Run> versioned, Instant now) {
    Run run = versioned.value();
    RunProgress.Cancellation c = state.planOf(entry, run).progress.timeOut(run, now);
    c.interrupted()
        .forEach(
            task ->
                state
                    .runner()
                    .interrupt(
                        new TaskRunner.AttemptKey(
                            run.jobId(), run.id(), task, run.tasks().get(task).attempts())));
    state.stage(versioned, c.run());
  }

  /** {@code run} with the attempt failed (or timed out), and a retry planned if one is left. */
  Run failAttempt(
      RunPlan plan,
      Run run,
      String taskId,
      int attempt,
      String error,
      Instant now,
      boolean timedOut) {
    RetryPolicy retry = plan.retry(taskId);
    Instant retryAt = null;
    if (retry.hasAttemptAfter(attempt)) {
      retryAt =
          now.plus(retry.delayBeforeAttempt(attempt + 1, ThreadLocalRandom.current().nextDouble()));
      state.metrics().retried();
    }
    return timedOut
        ? plan.progress.taskTimedOut(run, taskId, now, error, retryAt)
        : plan.progress.taskFailed(run, taskId, now, error, retryAt);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
