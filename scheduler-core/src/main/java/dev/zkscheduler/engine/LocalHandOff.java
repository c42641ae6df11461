package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.store.StoreOp;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What the leader and the worker of one node hand each other without a ZooKeeper round trip, two
 * fewer in every slot cycle of the leader's own node (docs/performance.md, "The slot cycle"):
 *
 * <ul>
 *   <li>the runs the leader commits with an attempt for this node's worker, so that the worker
 *       starts the attempt without reading the run back;
 *   <li>the reports this node's worker has written, so that the leader's view of the workers tells
 *       them before its watch has seen and read them ({@link Workers#reportedHere}).
 * </ul>
 *
 * <p>A hand-over is the committed run, so it is what a read right after the commit would have
 * returned; it changes nothing else. The worker still starts only an assignment its seat told it
 * of, for its current session, and still stops one taken back: a later change of the run (a
 * cancellation) reaches it as the revocation of the assignment, as it does when that change comes
 * after the worker's read. A hand-over not taken (its assignment was taken back before the worker
 * saw it, or the worker's session changed) goes with the oldest once {@link #MAX_HELD} are held.
 * Thread-safe.
 */
final class LocalHandOff {

  /** Nothing is handed over: a node that does not run tasks, and tests that read every run. */
  static final LocalHandOff NONE = new LocalHandOff(() -> null, (a, r) -> {});

  /** Hand-overs held at most; far above any worker's slots. */
  static final int MAX_HELD = 4_096;

  private final Supplier<String> localWorker;

  /** Where this node's leader learns of reports ({@link Workers#reportedHere}). */
  private final BiConsumer<Assignment, AttemptReport> leaderView;

  private final Map<Assignment, Run> held =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Assignment, Run> eldest) {
          return size() > MAX_HELD;
        }
      };

  /**
   * {@code localWorker}: this node's current worker name, null while it has none; {@code
   * leaderView}: {@link Workers#reportedHere} of the view this node's leader reads reports from, or
   * nothing when this node does not schedule.
   */
  LocalHandOff(Supplier<String> localWorker, BiConsumer<Assignment, AttemptReport> leaderView) {
    this.localWorker = localWorker;
    this.leaderView = leaderView;
  }

  /** This node's worker wrote {@code report}: this node's leader may settle it at once. */
  void reported(Assignment assignment, AttemptReport report) {
    leaderView.accept(assignment, report);
  }

  /**
   * Notes the runs of a multi about to be sent that assign an attempt to this node's worker. Before
   * the commit, not after: the worker may be told of the assignment before the leader hears that
   * the multi committed. The worker is told only of assignments that exist, so a multi that is not
   * committed hands nothing over; {@link #notSent} drops its runs at once.
   */
  void sending(List<StoreOp> ops) {
    String local = localWorker.get();
    if (local == null) {
      return;
    }
    Map<String, Run> runs = null;
    for (StoreOp op : ops) {
      if (!(op instanceof StoreOp.Assign assign) || !assign.assignment().worker().equals(local)) {
        continue;
      }
      if (runs == null) {
        runs = runsOf(ops);
      }
      Assignment a = assign.assignment();
      Run run = runs.get(a.jobId() + Assignment.SEPARATOR + a.runId());
      if (run != null) {
        synchronized (held) {
          held.put(a, run);
        }
      }
    }
  }

  /** Drops what {@link #sending} noted for a multi that was refused or whose fate is unknown. */
  void notSent(List<StoreOp> ops) {
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.Assign assign) {
        synchronized (held) {
          held.remove(assign.assignment());
        }
      }
    }
  }

  /** The run handed over with {@code assignment}, no longer held; null when none was. */
  Run take(Assignment assignment) {
    synchronized (held) {
      return held.remove(assignment);
    }
  }

  /** Drops every hand-over (the worker's session is over). */
  void clear() {
    synchronized (held) {
      held.clear();
    }
  }

  int held() {
    synchronized (held) {
      return held.size();
    }
  }

  private static Map<String, Run> runsOf(List<StoreOp> ops) {
    Map<String, Run> runs = new HashMap<>();
    for (StoreOp op : ops) {
      Run run =
          op instanceof StoreOp.CreateRun c
              ? c.run()
              : op instanceof StoreOp.UpdateRun u ? u.run() : null;
      if (run != null) {
        runs.put(run.jobId() + Assignment.SEPARATOR + run.id(), run);
      }
    }
    return runs;
  }
}
