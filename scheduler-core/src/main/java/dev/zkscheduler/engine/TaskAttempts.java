package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.Versioned;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starting task attempts and settling their outcomes, for runs being created and runs being driven
 * alike: a start is marked in the run with the worker chosen to run it (the write path gives the
 * attempt to that worker in the same multi, see {@link TermState}); an outcome — reported by the
 * worker, or the worker's session gone, or the deadline passed — becomes the run's next state, with
 * a retry when the task's policy has attempts left.
 */
final class TaskAttempts {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskAttempts.class);

  private final TermState state;

  /** Workers found gone by the last {@link #recordOutcomes}. */
  private final java.util.Set<String> lastGone = new java.util.HashSet<>();

  TaskAttempts(TermState state) {
    this.state = state;
  }

  /**
   * Settles every attempt in flight that ended since the last tick (staged; the caller flushes),
   * each run alone: reported by its worker, lost with its worker's session, or past its deadline.
   */
  void recordOutcomes() {
    Dispatch dispatch = state.dispatch();
    dispatch.beginTick();
    java.util.Map<String, dev.zkscheduler.cluster.WorkerInfo> live = dispatch.live();
    java.util.Set<String> gone = lastGone;
    gone.clear();
    Instant now = state.clock().instant();
    for (Dispatch.Known known : dispatch.inFlight()) {
      Assignment a = known.assignment();
      state.forRun(
          a.jobId(),
          a.runId(),
          "recording the outcome of task '" + a.taskId() + "'",
          () -> settle(known, live, gone, now));
    }
  }

  private void settle(
      Dispatch.Known known,
      java.util.Map<String, dev.zkscheduler.cluster.WorkerInfo> live,
      java.util.Set<String> gone,
      Instant now) {
    try (AttemptLogFields ids = AttemptLogFields.of(known.assignment())) {
      settleLogged(known, live, gone, now);
    }
  }

  private void settleLogged(
      Dispatch.Known known,
      java.util.Map<String, dev.zkscheduler.cluster.WorkerInfo> live,
      java.util.Set<String> gone,
      Instant now) {
    Assignment a = known.assignment();
    TaskRunner.AttemptKey key =
        new TaskRunner.AttemptKey(a.jobId(), a.runId(), a.taskId(), a.attempt());
    if (state.active().get(a.jobId(), a.runId()) == null) {
      state.dispatch().forget(a);
      return;
    }
    Optional<AttemptReport> report = state.workers().reported(a);
    if (report.isEmpty()
        && !live.containsKey(a.worker())
        && (gone.contains(a.worker()) || state.workers().gone(a.worker()))) {
      gone.add(a.worker());
      // Its session is over, so no report can be written any more: read what is there, from the
      // store itself (the view may not have caught up with a report written just before the end).
      report = state.workers().readReport(a);
      if (report.isEmpty()) {
        state.metrics().attemptLost();
        log.warn(
            "attempt {} lost: member {} ({}) lost its ZooKeeper session before reporting",
            a,
            dev.zkscheduler.cluster.WorkerInfo.memberOf(a.worker()),
            a.worker());
        record(
            new TaskRunner.Outcome(
                key,
                false,
                "attempt lost: member "
                    + dev.zkscheduler.cluster.WorkerInfo.memberOf(a.worker())
                    + " lost its session ("
                    + a.worker()
                    + ")",
                now),
            false);
        return;
      }
    }
    if (report.isPresent()) {
      AttemptReport r = report.get();
      record(
          new TaskRunner.Outcome(key, r.succeeded(), r.error(), r.finishedAt(), r.timedOut()),
          r.timedOut());
      return;
    }
    Versioned<Run> run = state.active().get(a.jobId(), a.runId());
    if (run == null) {
      // Its run left the active set without a change that takes it back (dropped as too large
      // to store): nothing will settle it, and it must not count on its worker any more.
      state.dispatch().forget(a);
      return;
    }
    RunPlan plan = state.planOf(state.jobs().get(a.jobId()), run.value());
    if (!known.assignedAt().plus(plan.task(a.taskId()).timeout()).isAfter(now)) {
      record(new TaskRunner.Outcome(key, false, "timed out", now), true);
    }
  }

  /**
   * Removes the assignments folders of the workers found gone, once the last flush settled what
   * they held.
   */
  void removeGoneWorkersFolders() {
    lastGone.forEach(state.workers()::removeFolder);
    lastGone.clear();
  }

  /**
   * {@code run} with every task of {@code starting} that a worker can take now marked started on
   * that worker; the others stay ready for a later tick (their attempt is not counted yet).
   */
  Run markStarted(JobEntry entry, Run run, List<String> starting, Instant now) {
    RunPlan plan = state.planOf(entry, run);
    Run next = run;
    for (String taskId : starting) {
      String worker = state.dispatch().choose(plan.task(taskId).type());
      if (worker != null) {
        next = plan.progress.taskStarted(next, taskId, now, worker);
      } else {
        state.dispatch().queue(ActiveRuns.key(run.jobId(), run.id()));
      }
    }
    return next;
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
    log.debug(
        "attempt {} of task {} recorded: {}",
        key.attempt(),
        key.taskId(),
        outcome.succeeded() ? "succeeded" : timedOut ? "timed out" : "failed: " + outcome.error());
    state.stage(versioned, next);
    if (!next.state().isTerminal()) {
      state.dispatch().queue(ActiveRuns.key(next.jobId(), next.id())); // its next task may be ready
    }
  }

  /**
   * Ends the run TIMED_OUT: running tasks TIMED_OUT (their assignments taken back, which interrupts
   * them), others CANCELLED.
   */
  void timeOutRun(JobEntry entry, Versioned<Run> versioned, Instant now) {
    Run run = versioned.value();
    RunProgress.Cancellation c = state.planOf(entry, run).progress.timeOut(run, now);
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
