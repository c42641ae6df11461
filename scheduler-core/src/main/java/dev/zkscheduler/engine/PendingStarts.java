package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.store.StoreOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler calls of one term's work waiting for the writes that record their starts, and the
 * outcomes it is recording: what {@link TermState}'s rule 1 checks before a handler is called, and
 * what a dropped work hands back to the task runner. Tick thread only.
 */
final class PendingStarts {

  private static final Logger log = LoggerFactory.getLogger(PendingStarts.class);

  /** {@code hold} gives the attempt to the runner to keep, not start (see {@link #holdAll}). */
  private record PendingStart(TaskRunner.AttemptKey key, Runnable start, Runnable hold) {}

  private final List<PendingStart> pending = new ArrayList<>();

  /**
   * The latest committed record of each run with a task running, written since starts were last
   * called: the evidence {@link #start} checks. Cleared by it, so it holds at most one tick's
   * writes.
   */
  private final Map<String, Run> committedRuns = new HashMap<>();

  /** Outcomes taken from the runner this tick, until the tick's writes are done. */
  private List<TaskRunner.Outcome> recording = List.of();

  void queue(TaskRunner.AttemptKey key, Runnable start, Runnable hold) {
    pending.add(new PendingStart(key, start, hold));
  }

  /** Notes the runs with a task running that a committed multi wrote. */
  void noteCommitted(List<StoreOp> ops) {
    for (StoreOp op : ops) {
      Run run =
          op instanceof StoreOp.CreateRun c
              ? c.run()
              : op instanceof StoreOp.UpdateRun u ? u.run() : null;
      if (run != null && run.tasks().values().stream().anyMatch(PendingStarts::running)) {
        committedRuns.put(ActiveRuns.key(run.jobId(), run.id()), run);
      }
    }
  }

  /**
   * Calls every queued handler whose attempt a committed write shows started ({@code termCurrent}
   * false: holds it instead), and drops the rest.
   */
  void start(boolean termCurrent) {
    List<PendingStart> starts = new ArrayList<>(pending);
    pending.clear();
    try {
      for (PendingStart p : starts) {
        if (isRecorded(p.key())) {
          (termCurrent ? p.start() : p.hold()).run();
        } else {
          log.debug("attempt {} not started: its start is not committed", p.key());
        }
      }
    } finally {
      committedRuns.clear();
    }
  }

  /** Hands every queued start to the runner to hold, and puts back the outcomes being recorded. */
  void holdAll(TaskRunner runner) {
    for (PendingStart p : pending) {
      p.hold().run();
    }
    pending.clear();
    committedRuns.clear();
    runner.putBack(recording);
    recording = List.of();
  }

  /** Forgets the queued starts of the run {@code runKey} ({@link ActiveRuns#key}). */
  void dropRun(String runKey) {
    pending.removeIf(p -> ActiveRuns.key(p.key().jobId(), p.key().runId()).equals(runKey));
  }

  void recording(List<TaskRunner.Outcome> drained) {
    recording = drained;
  }

  void recorded() {
    recording = List.of();
  }

  int count() {
    return pending.size();
  }

  private boolean isRecorded(TaskRunner.AttemptKey key) {
    Run committed = committedRuns.get(ActiveRuns.key(key.jobId(), key.runId()));
    TaskRun task = committed == null ? null : committed.tasks().get(key.taskId());
    return task != null && running(task) && task.attempts() == key.attempt();
  }

  static boolean running(TaskRun task) {
    return task.state() == TaskState.RUNNING;
  }
}
