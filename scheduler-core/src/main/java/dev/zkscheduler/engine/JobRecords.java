package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.StoreOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the scheduler state a job leaves behind: the terminal runs and schedule progress of a job
 * deleted while this node led, and at a new term those of jobs deleted (or deleted and created
 * again) while no leader watched. Runs still active are cancelled by their owners first; only
 * terminal runs are removed. Tick thread only.
 */
final class JobRecords {

  private static final Logger log = LoggerFactory.getLogger(JobRecords.class);

  /** Terminal runs removed per commit. */
  private static final int DELETES_PER_COMMIT = 200;

  private final TermState state;

  JobRecords(TermState state) {
    this.state = state;
  }

  /** A deleted job's schedule state and run history (terminal runs only, in batches). */
  void removeJob(String jobId) {
    List<StoreOp> ops = terminalRunDeletes(jobId, run -> true);
    ops.add(new StoreOp.DeleteScheduleState(jobId));
    state.commitOrDrop(ops);
    state.active().forgetJob(jobId);
  }

  /**
   * The terminal runs of the job that {@code jobId} named before it was deleted and created again
   * as {@code created}: the history of another job, which the new one must not show or count. A run
   * that does not say which creation it belongs to (stored before runs said) stays.
   */
  void removeEarlierCreation(String jobId, long created) {
    List<StoreOp> ops =
        terminalRunDeletes(jobId, run -> Versioned.earlierCreation(createdOf(run), created));
    if (!ops.isEmpty()) {
      state.commitOrDrop(ops);
    }
  }

  /**
   * At a new term, after the runs were adopted (the active runs of jobs gone from the store are
   * cancelled by then): removes the records of the {@code candidates} (jobs with stored progress or
   * runs that this leader did not load) whose definition is not stored ({@code storedIds}: every
   * job id in the store, unreadable definitions included, so that a job this leader merely failed
   * to load keeps its records). One job's failure is its own.
   *
   * @return how many jobs' records were removed
   */
  int collectOrphans(Set<String> candidates, Set<String> storedIds) {
    int removed = 0;
    for (String jobId : candidates) {
      if (storedIds.contains(jobId) || state.jobs().containsKey(jobId)) {
        continue;
      }
      boolean done =
          state.forJob(
              jobId,
              "removing the records of the job deleted while no leader watched",
              false,
              () -> removeJob(jobId));
      removed += done ? 1 : 0;
    }
    if (removed > 0) {
      log.warn(
          "term {}: removed the schedule progress and run history of {} job(s) deleted while no"
              + " leader watched",
          state.term().epoch(),
          removed);
    }
    return removed;
  }

  /**
   * Deletes of the job's terminal runs, committed in batches of {@value #DELETES_PER_COMMIT}; the
   * last partial batch is returned for the caller to complete. Only runs {@code removable} accepts
   * go.
   */
  private List<StoreOp> terminalRunDeletes(String jobId, Predicate<Run> removable) {
    List<StoreOp> ops = new ArrayList<>();
    for (Versioned<Run> run : state.store().runs(jobId, Integer.MAX_VALUE)) {
      Run r = run.value();
      if (!r.state().isTerminal() || !removable.test(r)) {
        continue;
      }
      ops.add(new StoreOp.DeleteRun(jobId, r.id(), run.version()));
      if (ops.size() == DELETES_PER_COMMIT) {
        CommitResult result = state.commit(ops);
        if (!result.committed()) {
          throw new TermWork.StaleViewException("removing runs of job " + jobId + ": " + result);
        }
        ops = new ArrayList<>();
      }
    }
    return ops;
  }

  /** The creation of the job a run was created from; 0 when the run does not say. */
  static long createdOf(Run run) {
    return run.dag() == null ? 0L : run.dag().jobCreated();
  }
}
