package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the active runs through their DAGs: adopts the runs and assignments a previous leader
 * left, times out overdue runs, and starts every task that became ready (or whose retry fell due)
 * on a worker with a free slot.
 */
final class RunDriver {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunDriver.class);

  private final TermState state;
  private final TaskAttempts attempts;

  RunDriver(TermState state, TaskAttempts attempts) {
    this.state = state;
    this.attempts = attempts;
  }

  /**
   * Takes over the runs a previous leader left active (staged; the caller flushes). A run of a job
   * deleted meanwhile (gone from the store, not merely unloaded here) is ended. An attempt running
   * under the previous leader goes on where it runs: its assignment is taken over, and it is
   * settled like any other, by its worker's report or the end of its worker's session. An attempt
   * shown running without an assignment (recorded by a release that ran attempts on the leader) is
   * lost: counted, and re-offered per the retry policy the run was created with. Assignments no run
   * shows running are taken back. A run that cannot be driven is ended FAILED, alone.
   *
   * @return the ids of the deleted jobs whose runs were ended
   */
  java.util.Set<String> adopt(
      List<Versioned<Run>> runs, List<dev.zkscheduler.cluster.AssignedAttempt> assigned) {
    java.util.Map<String, dev.zkscheduler.cluster.AssignedAttempt> byKey =
        new java.util.HashMap<>();
    assigned.forEach(a -> byKey.put(a.assignment().worker() + "/" + a.assignment().key(), a));
    java.util.Set<String> stored = null;
    java.util.Set<String> deleted = new java.util.HashSet<>();
    for (Versioned<Run> run : runs) {
      JobEntry entry = state.jobs().get(run.value().jobId());
      if (entry != null
          && Versioned.earlierCreation(JobRecords.createdOf(run.value()), entry.created)) {
        // A run of the job this id named before it was deleted and created again: ended and
        // removed in one write, so no failure in between can leave it in the new job's history.
        removeOrphan(run);
        continue;
      }
      if (entry == null) {
        if (stored == null) {
          stored = state.store().allJobIds();
        }
        if (!stored.contains(run.value().jobId())) {
          cancelOrphan(run);
          deleted.add(run.value().jobId());
          continue;
        }
        // The job exists but this leader could not load it (unreadable, or its definition failed
        // to load): the run carries its own DAG and is driven by it; one that cannot be (stored
        // without a DAG) fails alone. Cancelling it as "job deleted" would end live work.
      }
      state.active().put(run);
      state.forRun(
          run.value().jobId(),
          run.value().id(),
          "taking the run over from the previous leader",
          () -> recover(entry, run, byKey));
    }
    takeBackOrphans(byKey.values());
    return deleted;
  }

  /** Assignments no active run shows running: their workers stop them, nothing is recorded. */
  private void takeBackOrphans(java.util.Collection<dev.zkscheduler.cluster.AssignedAttempt> left) {
    List<StoreOp> ops = new ArrayList<>();
    for (dev.zkscheduler.cluster.AssignedAttempt a : left) {
      log.info("assignment {} belongs to no running attempt: taken back", a.assignment());
      ops.add(new StoreOp.Unassign(a.assignment()));
      if (ops.size() == state.settings().maxFiresPerCommit()) {
        state.commitOrDrop(List.copyOf(ops));
        ops.clear();
      }
    }
    if (!ops.isEmpty()) {
      state.commitOrDrop(ops);
    }
  }

  private void recover(
      JobEntry entry,
      Versioned<Run> versioned,
      java.util.Map<String, dev.zkscheduler.cluster.AssignedAttempt> assigned) {
    Run run = versioned.value();
    RunPlan plan = state.planOf(entry, run);
    Instant now = state.clock().instant();
    boolean changed = false;
    for (Map.Entry<String, TaskRun> task : run.tasks().entrySet()) {
      if (task.getValue().state() != TaskState.RUNNING) {
        continue;
      }
      dev.zkscheduler.cluster.AssignedAttempt held =
          dev.zkscheduler.cluster.Assignment.isAssigned(task.getValue())
              ? assigned.remove(
                  task.getValue().node()
                      + "/"
                      + new dev.zkscheduler.cluster.Assignment(
                              task.getValue().node(),
                              run.jobId(),
                              run.id(),
                              task.getKey(),
                              task.getValue().attempts())
                          .key())
              : null;
      if (held != null) {
        // Deadlines count on the leaders' clock: a first attempt from its task's start, a later
        // one (its start is not recorded) from now; ZooKeeper's clock in the assignment may differ.
        TaskRun t = task.getValue();
        state
            .dispatch()
            .adopt(held, t.attempts() == 1 && t.startedAt() != null ? t.startedAt() : now);
      } else {
        run =
            attempts.failAttempt(
                plan,
                run,
                task.getKey(),
                task.getValue().attempts(),
                "attempt lost with the previous leader (it has no assignment)",
                now,
                false);
        changed = true;
      }
    }
    if (changed) {
      state.stage(versioned, run);
    }
  }

  private void cancelOrphan(Versioned<Run> versioned) {
    Run cancelled = endWithoutDag(versioned.value(), state.clock().instant());
    state.commitOrDrop(List.of(new StoreOp.UpdateRun(cancelled, versioned.version())));
    state.metrics().runEnded(cancelled.state());
  }

  /** Ends the run (its active-run index entry goes) and deletes it, in one multi. */
  private void removeOrphan(Versioned<Run> versioned) {
    Run cancelled = endWithoutDag(versioned.value(), state.clock().instant());
    state.commitOrDrop(
        List.of(
            new StoreOp.UpdateRun(cancelled, versioned.version()),
            new StoreOp.DeleteRun(cancelled.jobId(), cancelled.id(), versioned.version() + 1)));
    state.metrics().runEnded(cancelled.state());
    log.info(
        "run {} of job {} removed: it belonged to the job deleted before this one was created"
            + " under the same id",
        cancelled.id(),
        cancelled.jobId());
  }

  /** The run cancelled without its job's DAG, which is gone with the job. */
  private static Run endWithoutDag(Run run, Instant now) {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    run.tasks()
        .forEach(
            (id, t) ->
                tasks.put(
                    id,
                    t.state().isTerminal()
                        ? t
                        : new TaskRun(
                            TaskState.CANCELLED,
                            t.attempts(),
                            t.startedAt(),
                            now,
                            null,
                            t.node(),
                            "job deleted")));
    return run.with(RunState.CANCELLED, run.startedAt(), now, tasks);
  }

  /**
   * One tick's driving, written. {@code everyRun}: every active run is looked at (run timeouts,
   * retries falling due, ready tasks), after the queued ones; otherwise only the runs queued since
   * (a task that found no free slot, an attempt that ended), oldest first, while a slot is free.
   */
  void drive(boolean everyRun) {
    startQueued();
    if (everyRun) {
      driveAll();
    }
    state.flush();
  }

  /**
   * Stages the starts of the runs queued since the last tick (a task that found no free slot, an
   * attempt that ended), oldest first, while a slot is free; the caller flushes.
   */
  void startQueued() {
    // Each run in line is tried at most once. One that still has a ready task without a slot (a
    // fan-out wider than the slots that freed) goes back to the head of the line, where it was.
    List<String> stillWaiting = new ArrayList<>();
    for (int left = state.dispatch().queuedRuns(); left > 0; left--) {
      if (!state.dispatch().anyFree()) {
        break; // nothing can start before a slot frees: the rest keep their places, in order
      }
      String key = state.dispatch().pollQueued();
      int slash = key.indexOf('/');
      String jobId = key.substring(0, slash);
      String runId = key.substring(slash + 1);
      Versioned<Run> run = state.active().get(jobId, runId);
      if (run != null) {
        JobEntry entry = state.jobs().get(jobId);
        state.forRun(jobId, runId, "driving the run", () -> drive(entry, run));
      }
      if (state.dispatch().isQueued(key)) {
        stillWaiting.add(key);
      }
    }
    state.dispatch().returnToFront(stillWaiting);
  }

  /**
   * Stages what every active run needs: run timeouts, retries falling due, ready tasks; the caller
   * flushes.
   */
  void driveAll() {
    for (Map.Entry<String, List<Versioned<Run>>> byJob : state.active().snapshot()) {
      // A run carries its own DAG: it is driven even while its job is not loaded.
      JobEntry entry = state.jobs().get(byJob.getKey());
      for (Versioned<Run> listed : byJob.getValue()) {
        state.forRun(
            byJob.getKey(), listed.value().id(), "driving the run", () -> drive(entry, listed));
      }
    }
  }

  private void drive(JobEntry entry, Versioned<Run> listed) {
    // The listing is a copy: an outcome recorded by an earlier step of this tick may have ended
    // or changed the run since.
    Versioned<Run> versioned = state.active().get(listed.value().jobId(), listed.value().id());
    if (versioned == null) {
      return;
    }
    Instant now = state.clock().instant();
    RunPlan plan = state.planOf(entry, versioned.value());
    if (plan.pastDeadline(versioned.value(), now)) {
      attempts.timeOutRun(entry, versioned, now);
      return;
    }
    startReady(entry, plan, versioned);
  }

  /** Stages the start of every ready task (and due retry) of the run that a worker can take. */
  private void startReady(JobEntry entry, RunPlan plan, Versioned<Run> versioned) {
    Instant now = state.clock().instant();
    Run run = versioned.value();
    List<String> starting = new ArrayList<>(plan.progress.retriesDue(run, now));
    starting.addAll(plan.progress.readyTasks(run));
    if (starting.isEmpty()) {
      return;
    }
    Run next = attempts.markStarted(entry, run, starting, now);
    if (next != run) {
      state.stage(versioned, next);
    }
  }
}
