package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which worker runs each attempt, as one leader term knows it: the assignments that exist (adopted
 * when the term began, or committed by it), the choice of a worker for each new attempt, and the
 * assignment writes each run change needs. Tick thread only.
 *
 * <p>An assignment is written in the same fenced multi as the run change that marks its attempt
 * RUNNING on that worker, and taken back in the one that ends it: {@link #opsFor} derives both from
 * the change itself, so no caller can forget either. The known assignments change only when a multi
 * commits ({@link #committed}).
 */
final class Dispatch {

  /** An assignment known to exist, and when it was made (its attempt's deadline counts from it). */
  record Known(Assignment assignment, Instant assignedAt) {}

  private final Workers workers;

  /** Known assignments by run key ({@link ActiveRuns#key}) and task id. */
  private final Map<String, Map<String, Known>> byRun = new HashMap<>();

  private final Map<String, Integer> perWorker = new HashMap<>();

  /** Attempts given to a worker this tick and not committed yet. */
  private final Map<String, Integer> reserved = new HashMap<>();

  /**
   * Known assignments that a staged run change takes back once their worker reported them, their
   * slots free for the same flush: a report's slot goes to the next queued run in the multi that
   * records the report, not one multi later. Gone once the change commits; a refused change drops
   * the term's whole view.
   */
  private final java.util.Set<Assignment> releasing = new java.util.HashSet<>();

  private final Map<String, Integer> releasingPerWorker = new HashMap<>();

  /** The workers as the current tick saw them; null until first needed. */
  private Map<String, WorkerInfo> live;

  /** Tasks that found no worker with a free slot this tick. */
  private int waiting;

  /**
   * Runs that may have a task to start, by run key, oldest first: those whose ready task found no
   * free slot, and those whose attempt just ended (their next task may be ready). A tick woken by a
   * report drives these alone, not every active run, and serves them in the order they came.
   */
  private final java.util.ArrayDeque<String> line = new java.util.ArrayDeque<>();

  /** The runs in {@link #line}. */
  private final java.util.Set<String> inLine = new java.util.HashSet<>();

  private long turn;

  Dispatch(Workers workers) {
    this.workers = workers;
  }

  /** Takes a fresh look at the workers; called once per tick, before anything is started. */
  void beginTick() {
    live = workers.live();
    reserved.clear();
    waiting = 0;
  }

  Map<String, WorkerInfo> live() {
    if (live == null) {
      live = workers.live();
    }
    return live;
  }

  /**
   * An assignment the store holds, taken over by a new term; {@code startedAt} is when its attempt
   * started on the leaders' clock (its deadline counts from it).
   */
  void adopt(AssignedAttempt attempt, Instant startedAt) {
    add(new Known(attempt.assignment(), startedAt));
  }

  /** Forgets an assignment whose run this term no longer drives (nothing else will settle it). */
  void forget(Assignment assignment) {
    remove(assignment);
  }

  /**
   * The worker that runs the next attempt of a {@code taskType} task: the live, non-draining worker
   * with that type and the most free slots (ties taken in turn, so that light load spreads too);
   * null when none has a free slot. Reserves the slot for this tick.
   */
  String choose(String taskType) {
    WorkerInfo best = null;
    int bestFree = 0;
    List<WorkerInfo> candidates = new ArrayList<>(live().values());
    candidates.sort(java.util.Comparator.comparing(WorkerInfo::name));
    int n = candidates.size();
    for (int i = 0; i < n; i++) {
      WorkerInfo w = candidates.get((int) ((turn + i) % n));
      if (!w.runs(taskType)) {
        continue;
      }
      int free = w.capacity() - load(w.name());
      if (free > bestFree) {
        best = w;
        bestFree = free;
      }
    }
    if (best == null) {
      waiting++;
      return null;
    }
    turn++;
    reserved.merge(best.name(), 1, Integer::sum);
    return best.name();
  }

  /**
   * Attempts assigned to {@code worker} and not taken back, with this tick's reservations and
   * without those a staged change takes back.
   */
  int load(String worker) {
    return perWorker.getOrDefault(worker, 0)
        + reserved.getOrDefault(worker, 0)
        - releasingPerWorker.getOrDefault(worker, 0);
  }

  /**
   * Notes the assignments a staged change of {@code run} takes back whose worker reported them (see
   * {@link #releasing}). An attempt taken back unreported (timed out, cancelled) may still hold its
   * worker's thread, so its slot counts until the change commits, as before.
   */
  void staged(Run run) {
    Map<String, Known> known = byRun.get(ActiveRuns.key(run.jobId(), run.id()));
    if (known == null) {
      return;
    }
    for (Known k : known.values()) {
      if (!k.assignment().matches(run.tasks().get(k.assignment().taskId()))
          && !releasing.contains(k.assignment())
          && workers.reported(k.assignment()).isPresent()
          && releasing.add(k.assignment())) {
        releasingPerWorker.merge(k.assignment().worker(), 1, Integer::sum);
      }
    }
  }

  private void released(Assignment a) {
    if (releasing.remove(a)) {
      releasingPerWorker.merge(a.worker(), -1, Integer::sum);
    }
  }

  int waiting() {
    return waiting;
  }

  /** Notes that the run may have a task to start (it keeps its place if already noted). */
  void queue(String runKey) {
    if (inLine.add(runKey)) {
      line.addLast(runKey);
    }
  }

  /**
   * The oldest run noted by {@link #queue}, no longer noted; null when none is. Taking one at a
   * time keeps a woken tick's cost to the runs it starts: copying the whole line each tick and
   * putting back what found no slot cost the leader time in proportion to the backlog, under load,
   * hundreds of times a second.
   */
  String pollQueued() {
    String key = line.pollFirst();
    if (key != null) {
      inLine.remove(key);
    }
    return key;
  }

  /** Whether the run is in line. */
  boolean isQueued(String runKey) {
    return inLine.contains(runKey);
  }

  /**
   * Puts {@code runKeys}, taken by {@link #pollQueued} and queued again since (a ready task found
   * no slot), back at the head of the line, in their order: they keep their places ahead of the
   * runs that came after them. Each was queued again a moment ago, so it is found near the tail.
   */
  void returnToFront(List<String> runKeys) {
    for (int i = runKeys.size() - 1; i >= 0; i--) {
      String key = runKeys.get(i);
      if (inLine.contains(key)) {
        line.removeLastOccurrence(key);
      }
      inLine.add(key);
      line.addFirst(key);
    }
  }

  /** The runs waiting in {@link #queue}: those with a ready task no worker had a slot for. */
  int queuedRuns() {
    return line.size();
  }

  /** Whether some live, non-draining worker has a slot this tick has not filled yet. */
  boolean anyFree() {
    for (WorkerInfo w : live().values()) {
      if (!w.draining() && w.capacity() - load(w.name()) > 0) {
        return true;
      }
    }
    return false;
  }

  /** Every known assignment. */
  List<Known> inFlight() {
    List<Known> all = new ArrayList<>();
    byRun.values().forEach(tasks -> all.addAll(tasks.values()));
    return all;
  }

  int count() {
    return perWorker.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * The assignment writes {@code op} needs: an assignment for every attempt a created or changed
   * run shows RUNNING on a worker that has none yet, and the removal of every known assignment of
   * the run that it no longer shows.
   */
  List<StoreOp> opsFor(StoreOp op, Instant now) {
    Run run =
        op instanceof StoreOp.CreateRun c
            ? c.run()
            : op instanceof StoreOp.UpdateRun u ? u.run() : null;
    if (run == null) {
      return List.of();
    }
    Map<String, Known> known = byRun.getOrDefault(ActiveRuns.key(run.jobId(), run.id()), Map.of());
    List<StoreOp> ops = new ArrayList<>();
    for (Known k : known.values()) {
      if (!k.assignment().matches(run.tasks().get(k.assignment().taskId()))) {
        ops.add(new StoreOp.Unassign(k.assignment()));
      }
    }
    for (Assignment a : Assignment.of(run)) {
      Known k = known.get(a.taskId());
      if (k == null || !k.assignment().equals(a)) {
        ops.add(new StoreOp.Assign(a, now));
      }
    }
    return ops;
  }

  /** Notes the assignment writes of a committed multi. */
  void committed(List<StoreOp> ops) {
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.Assign a) {
        Integer r = reserved.get(a.assignment().worker());
        if (r != null) {
          if (r <= 1) {
            reserved.remove(a.assignment().worker());
          } else {
            reserved.put(a.assignment().worker(), r - 1);
          }
        }
        add(new Known(a.assignment(), a.assignedAt()));
      } else if (op instanceof StoreOp.Unassign u) {
        remove(u.assignment());
      }
    }
  }

  boolean knows(Assignment assignment) {
    Known k = byRun.getOrDefault(key(assignment), Map.of()).get(assignment.taskId());
    return k != null && k.assignment().equals(assignment);
  }

  private void add(Known k) {
    Known previous =
        byRun
            .computeIfAbsent(key(k.assignment()), r -> new LinkedHashMap<>())
            .put(k.assignment().taskId(), k);
    if (previous != null) {
      released(previous.assignment());
      perWorker.merge(previous.assignment().worker(), -1, Integer::sum);
    }
    perWorker.merge(k.assignment().worker(), 1, Integer::sum);
  }

  private void remove(Assignment a) {
    Map<String, Known> tasks = byRun.get(key(a));
    if (tasks == null) {
      return;
    }
    Known k = tasks.get(a.taskId());
    if (k != null && k.assignment().equals(a)) {
      released(a);
      tasks.remove(a.taskId());
      perWorker.merge(a.worker(), -1, Integer::sum);
      if (tasks.isEmpty()) {
        byRun.remove(key(a));
      }
    }
  }

  /** The assignments counted on each worker, for the cluster view and metrics. */
  Map<String, Integer> loads() {
    Map<String, Integer> loads = new HashMap<>(perWorker);
    loads.values().removeIf(v -> v == 0);
    return loads;
  }

  Collection<String> workersWithAssignments() {
    return loads().keySet();
  }

  private static String key(Assignment a) {
    return ActiveRuns.key(a.jobId(), a.runId());
  }
}
