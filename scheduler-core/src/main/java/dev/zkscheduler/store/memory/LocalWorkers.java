package dev.zkscheduler.store.memory;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.cluster.Workers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one worker of a single process, over an {@link InMemorySchedulerStore}: the leader's view of
 * it and its own seat. There is no session to lose, so it is never gone while open. Thread-safe.
 */
public final class LocalWorkers implements Workers, WorkerSeat {

  private final InMemorySchedulerStore store;
  private final String name;
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private volatile WorkerInfo self;
  private volatile InMemoryAssignments.Listener listening;

  LocalWorkers(InMemorySchedulerStore store, String memberId) {
    this.store = store;
    this.name = memberId;
  }

  @Override
  public void open(int capacity, Set<String> taskTypes, Listener listener) {
    self = new WorkerInfo(name, name, capacity, taskTypes, false);
    store.workers().put(name, self);
    listening =
        new InMemoryAssignments.Listener() {
          @Override
          public void assigned(AssignedAttempt attempt) {
            if (attempt.assignment().worker().equals(name)) {
              listener.assigned(attempt);
            }
          }

          @Override
          public void revoked(Assignment assignment) {
            if (assignment.worker().equals(name)) {
              listener.revoked(assignment);
            }
          }
        };
    store.listen(listening);
    // Assignments written before this worker opened (a node restarted on a kept store).
    for (AssignedAttempt attempt : store.assignments()) {
      if (attempt.assignment().worker().equals(name) && !attempt.reported()) {
        listener.assigned(attempt);
      }
    }
    changed();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean report(Assignment assignment, AttemptReport report) {
    if (self == null || !assignment.worker().equals(name) || !store.report(assignment, report)) {
      return false;
    }
    changed();
    return true;
  }

  @Override
  public void drain() {
    WorkerInfo current = self;
    if (current != null) {
      self =
          new WorkerInfo(
              current.name(), current.memberId(), current.capacity(), current.taskTypes(), true);
      store.workers().put(name, self);
      changed();
    }
  }

  @Override
  public Map<String, WorkerInfo> live() {
    return Map.copyOf(store.workers());
  }

  @Override
  public Map<String, Integer> running() {
    Map<String, Integer> running = new java.util.HashMap<>();
    store.assignments().stream()
        .filter(a -> !a.reported())
        .forEach(a -> running.merge(a.assignment().worker(), 1, Integer::sum));
    return running;
  }

  @Override
  public Optional<AttemptReport> reported(Assignment assignment) {
    return store.reported(assignment);
  }

  @Override
  public Optional<AttemptReport> readReport(Assignment assignment) {
    return store.reported(assignment);
  }

  @Override
  public boolean gone(String worker) {
    return !store.workers().containsKey(worker);
  }

  @Override
  public void removeFolder(String worker) {
    // Nothing to remove: assignments live in the store's map.
  }

  @Override
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }

  @Override
  public void close() {
    if (self != null) {
      store.workers().remove(name);
      self = null;
    }
    if (listening != null) {
      store.unlisten(listening);
    }
    changed();
  }
}
