package dev.zkscheduler.store.memory;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.store.StoreOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The assignments of {@link InMemorySchedulerStore}: by worker and key in the order written, each
 * with its report once written, the fencing tokens handed out, and who hears of them. Not
 * thread-safe by itself: every call is made under the store's lock (the listener list and the
 * worker map are concurrent, as {@link LocalWorkers} uses them outside it).
 */
final class InMemoryAssignments {

  /** What {@link LocalWorkers} hears of the assignments committed. */
  interface Listener {
    void assigned(AssignedAttempt attempt);

    void revoked(Assignment assignment);
  }

  private final Map<String, LinkedHashMap<String, AssignedAttempt>> byWorker = new HashMap<>();

  /** The last fencing token given to an assignment (ZooKeeper's czxid plays this role). */
  private long tokens;

  /** Told of every assignment written and taken back, in commit order. */
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** The open in-process workers by name. */
  private final Map<String, WorkerInfo> workers = new ConcurrentHashMap<>();

  List<AssignedAttempt> all() {
    List<AssignedAttempt> all = new ArrayList<>();
    byWorker.values().forEach(byKey -> all.addAll(byKey.values()));
    return all;
  }

  AssignedAttempt find(Assignment assignment) {
    Map<String, AssignedAttempt> byKey = byWorker.get(assignment.worker());
    return byKey == null ? null : byKey.get(assignment.key());
  }

  /** Writes a report if the assignment is there and unreported; whether it was written. */
  boolean report(Assignment assignment, AttemptReport report) {
    AssignedAttempt found = find(assignment);
    if (found == null || found.reported()) {
      return false;
    }
    byWorker
        .get(assignment.worker())
        .put(
            assignment.key(),
            new AssignedAttempt(assignment, found.fencingToken(), found.assignedAt(), report));
    return true;
  }

  /**
   * Before a commit's ops are applied: every assignment of one commit shares its token, as every
   * create of one ZooKeeper multi shares its czxid.
   */
  void beginCommit(List<StoreOp> ops) {
    if (ops.stream().anyMatch(StoreOp.Assign.class::isInstance)) {
      tokens++;
    }
  }

  void apply(StoreOp.Assign op) {
    AssignedAttempt attempt = new AssignedAttempt(op.assignment(), tokens, op.assignedAt(), null);
    byWorker
        .computeIfAbsent(op.assignment().worker(), w -> new LinkedHashMap<>())
        .put(op.assignment().key(), attempt);
  }

  void apply(StoreOp.Unassign op) {
    Map<String, AssignedAttempt> byKey = byWorker.get(op.assignment().worker());
    byKey.remove(op.assignment().key());
    if (byKey.isEmpty()) {
      byWorker.remove(op.assignment().worker());
    }
  }

  /** Once the whole commit is applied: a worker told of an assignment reads its run. */
  void announce(List<StoreOp> ops) {
    for (Listener listener : listeners) {
      for (StoreOp op : ops) {
        if (op instanceof StoreOp.Assign a) {
          listener.assigned(find(a.assignment()));
        } else if (op instanceof StoreOp.Unassign u) {
          listener.revoked(u.assignment());
        }
      }
    }
  }

  void listen(Listener listener) {
    listeners.add(listener);
  }

  void unlisten(Listener listener) {
    listeners.remove(listener);
  }

  Map<String, WorkerInfo> workers() {
    return workers;
  }
}
