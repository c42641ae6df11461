package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.store.CommitResult;
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
 * <p>A run is handed over only once its multi committed, so it is what ZooKeeper holds: a worker
 * told of the assignment before the leader has heard of the commit reads the run as any worker
 * does. It changes nothing else: the worker still starts only an assignment its seat told it of,
 * for its current session, and not one taken back; a later change of the run (a cancellation)
 * reaches it as the revocation of the assignment, as it does when that change comes after the
 * worker's read. Hand-overs are dropped when taken, when their assignment is taken back or its
 * multi refused, when the worker's session ends, and beyond {@code maxHeld}, oldest first.
 * Thread-safe.
 */
final class LocalHandOff {

  /** Nothing is handed over: a node that does not run tasks, and tests that read every run. */
  static final LocalHandOff NONE = new LocalHandOff(() -> null, (a, r) -> {}, 0);

  private final Supplier<String> localWorker;

  /** Where this node's leader learns of reports ({@link Workers#reportedHere}). */
  private final BiConsumer<Assignment, AttemptReport> leaderView;

  /** A run noted for a multi being sent; {@code committed} once the multi is. */
  private record Held(Run run, boolean committed) {}

  /** Guarded by itself. */
  private final Map<Assignment, Held> held;

  /** The thread sending the multis noted last, until they are settled. Guarded by held. */
  private Thread sender;

  /**
   * {@code localWorker}: this node's current worker name, null while it has none; {@code
   * leaderView}: {@link Workers#reportedHere} of the view this node's leader reads reports from, or
   * nothing when this node does not schedule; {@code maxHeld}: hand-overs held at most (a few times
   * the worker's slots: the leader assigns it no more than those at once).
   */
  LocalHandOff(
      Supplier<String> localWorker, BiConsumer<Assignment, AttemptReport> leaderView, int maxHeld) {
    this.localWorker = localWorker;
    this.leaderView = leaderView;
    this.held =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Assignment, Held> eldest) {
            return size() > maxHeld;
          }
        };
  }

  /** This node's worker wrote {@code report}: this node's leader may settle it at once. */
  void reported(Assignment assignment, AttemptReport report) {
    leaderView.accept(assignment, report);
  }

  /**
   * Notes the runs of multis about to be sent that assign an attempt to this node's worker, to be
   * handed over once {@link #settled} finds their multi committed; until then {@link #take} waits
   * for that, briefly.
   */
  void sending(List<List<StoreOp>> multis) {
    String local = localWorker.get();
    if (local == null) {
      return;
    }
    synchronized (held) {
      sender = Thread.currentThread();
      for (List<StoreOp> ops : multis) {
        Map<String, Run> runs = null;
        for (StoreOp op : ops) {
          if (!(op instanceof StoreOp.Assign assign)
              || !assign.assignment().worker().equals(local)) {
            continue;
          }
          if (runs == null) {
            runs = runsOf(ops);
          }
          Assignment a = assign.assignment();
          Run run = runs.get(a.jobId() + Assignment.SEPARATOR + a.runId());
          if (run != null) {
            held.put(a, new Held(run, false));
          }
        }
      }
    }
  }

  /**
   * The multis of {@link #sending} were answered ({@code results}, one each) or not ({@code null}:
   * their fate is unknown): the runs of those committed are handed over, the others dropped, and
   * the assignments a committed multi takes back dropped too.
   */
  void settled(List<List<StoreOp>> multis, List<CommitResult> results) {
    synchronized (held) {
      sender = null;
      if (!held.isEmpty()) {
        for (int i = 0; i < multis.size(); i++) {
          boolean committed = results != null && results.get(i).committed();
          for (StoreOp op : multis.get(i)) {
            if (op instanceof StoreOp.Assign assign) {
              if (committed) {
                held.computeIfPresent(assign.assignment(), (a, h) -> new Held(h.run(), true));
              } else {
                held.remove(assign.assignment());
              }
            } else if (committed && op instanceof StoreOp.Unassign unassign) {
              held.remove(unassign.assignment());
            }
          }
        }
      }
      held.notifyAll();
    }
  }

  /**
   * The committed run handed over with {@code assignment}; null when there is none, then the worker
   * reads it. A run noted for a multi not answered yet is waited for, at most {@link #WAIT}: the
   * worker hears of an assignment about when the leader hears its multi committed (not on the
   * sending thread itself, which cannot hear of it meanwhile). Either way the assignment holds
   * nothing here any more.
   */
  Run take(Assignment assignment) {
    synchronized (held) {
      long end = System.nanoTime() + WAIT.toNanos();
      Held h = held.get(assignment);
      while (h != null && !h.committed() && sender != Thread.currentThread()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(held, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        h = held.get(assignment);
      }
      held.remove(assignment);
      return h != null && h.committed() ? h.run() : null;
    }
  }

  /** How long {@link #take} waits for the answer to the multi that noted the run. */
  static final java.time.Duration WAIT = java.time.Duration.ofMillis(100);

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
