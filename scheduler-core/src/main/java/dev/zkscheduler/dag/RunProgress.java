package dev.zkscheduler.dag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pure state machine of one job's runs: how a {@link Run} moves through its DAG. Every method
 * returns a new {@code Run} and checks each state change against {@link TaskTransitions} and {@link
 * RunTransitions}; nothing here touches ZooKeeper, clocks or threads. Immutable and thread-safe.
 *
 * <p>A run's outcome, once every task is terminal: FAILED if any task ended FAILED, TIMED_OUT or
 * UPSTREAM_FAILED, otherwise SUCCEEDED (skipped tasks are not failures). CANCELLED and TIMED_OUT
 * runs are set by {@link #cancel} and {@link #timeOut}.
 */
public final class RunProgress {

  private final Dag dag;
  private final Map<String, TriggerRule> rules;
  private final PinnedDag pinned;

  /**
   * Progress over a bare DAG: the runs it creates carry no DAG of their own.
   *
   * @param rules each task's trigger rule; tasks missing from the map use ALL_SUCCESS
   */
  public RunProgress(Dag dag, Map<String, TriggerRule> rules) {
    this(dag, rules, null);
  }

  private RunProgress(Dag dag, Map<String, TriggerRule> rules, PinnedDag pinned) {
    this.dag = Objects.requireNonNull(dag, "dag");
    this.rules = Map.copyOf(rules);
    this.pinned = pinned;
  }

  /**
   * Progress over {@code pinned}; the runs it creates carry it.
   *
   * @throws InvalidDagException if the tasks' dependencies do not form a DAG
   */
  public static RunProgress of(PinnedDag pinned) {
    return new RunProgress(Dag.of(pinned.dependsOn()), pinned.rules(), pinned);
  }

  public Dag dag() {
    return dag;
  }

  /** The DAG the runs created here carry; null for progress over a bare DAG. */
  public PinnedDag pinned() {
    return pinned;
  }

  /** Whether {@code run} has exactly this DAG's tasks, so that this progress can drive it. */
  public boolean fits(Run run) {
    return run.tasks().keySet().equals(new java.util.HashSet<>(dag.topologicalOrder()));
  }

  /** A new PENDING run with every task PENDING, in topological order. */
  public Run newRun(
      String id,
      String jobId,
      Instant nominalTime,
      RunTrigger trigger,
      Instant createdAt,
      long epoch) {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    dag.topologicalOrder().forEach(t -> tasks.put(t, TaskRun.pending()));
    return new Run(
        id,
        jobId,
        nominalTime,
        trigger,
        RunState.PENDING,
        createdAt,
        null,
        null,
        epoch,
        tasks,
        pinned);
  }

  /**
   * A run recorded as SKIPPED at creation (a fire refused by the FORBID concurrency policy). It
   * carries no DAG: it is never driven, and a job firing often while busy would otherwise fill its
   * history with copies of its definition.
   */
  public Run skippedRun(
      String id,
      String jobId,
      Instant nominalTime,
      RunTrigger trigger,
      Instant createdAt,
      long epoch) {
    return skippedRun(id, jobId, nominalTime, trigger, createdAt, epoch, null);
  }

  /**
   * As {@link #skippedRun(String, String, Instant, RunTrigger, Instant, long)}, every task naming
   * {@code reason} (null for none) as its error.
   */
  public Run skippedRun(
      String id,
      String jobId,
      Instant nominalTime,
      RunTrigger trigger,
      Instant createdAt,
      long epoch,
      String reason) {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    dag.topologicalOrder()
        .forEach(
            t ->
                tasks.put(
                    t, new TaskRun(TaskState.SKIPPED, 0, null, createdAt, null, null, reason)));
    return new Run(
        id,
        jobId,
        nominalTime,
        trigger,
        RunState.SKIPPED,
        createdAt,
        null,
        createdAt,
        epoch,
        tasks,
        null);
  }

  /** PENDING tasks whose trigger rule holds, in topological order; none for a terminal run. */
  public List<String> readyTasks(Run run) {
    if (run.state().isTerminal()) {
      return List.of();
    }
    List<String> ready = new ArrayList<>();
    for (String taskId : dag.topologicalOrder()) {
      if (task(run, taskId).state() == TaskState.PENDING
          && decide(run, taskId) == TriggerDecision.READY) {
        ready.add(taskId);
      }
    }
    return ready;
  }

  /** Tasks in RETRY_WAIT whose next attempt is due at {@code now}. */
  public List<String> retriesDue(Run run, Instant now) {
    if (run.state().isTerminal()) {
      return List.of();
    }
    List<String> due = new ArrayList<>();
    run.tasks()
        .forEach(
            (id, task) -> {
              if (task.state() == TaskState.RETRY_WAIT && !task.nextAttemptAt().isAfter(now)) {
                due.add(id);
              }
            });
    return due;
  }

  /**
   * Marks PENDING tasks whose rule can no longer hold as UPSTREAM_FAILED or SKIPPED (transitively)
   * and, once every task is terminal, ends the run.
   */
  public Run settle(Run run, Instant now) {
    if (run.state().isTerminal()) {
      return run;
    }
    Map<String, TaskRun> tasks = new LinkedHashMap<>(run.tasks());
    boolean changed = true;
    while (changed) {
      changed = false;
      for (String taskId : dag.topologicalOrder()) {
        TaskRun task = task(run, tasks, taskId);
        if (task.state() != TaskState.PENDING) {
          continue;
        }
        TriggerDecision decision = decide(run, tasks, taskId);
        TaskState to =
            switch (decision) {
              case UPSTREAM_FAILED -> TaskState.UPSTREAM_FAILED;
              case SKIPPED -> TaskState.SKIPPED;
              case READY, WAIT -> null;
            };
        if (to != null) {
          tasks.put(taskId, transition(task, to, now, null));
          changed = true;
        }
      }
    }
    boolean allTerminal = tasks.values().stream().allMatch(t -> t.state().isTerminal());
    if (!allTerminal) {
      return copy(run, run.state(), run.startedAt(), null, tasks);
    }
    boolean failed =
        tasks.values().stream()
            .anyMatch(
                t ->
                    t.state() == TaskState.FAILED
                        || t.state() == TaskState.TIMED_OUT
                        || t.state() == TaskState.UPSTREAM_FAILED);
    RunState outcome = failed ? RunState.FAILED : RunState.SUCCEEDED;
    RunTransitions.check(run.state(), outcome);
    return copy(run, outcome, run.startedAt(), now, tasks);
  }

  /** An attempt of {@code taskId} starts: PENDING or RETRY_WAIT → RUNNING, attempts + 1. */
  public Run taskStarted(Run run, String taskId, Instant now, String node) {
    TaskRun task = task(run, taskId);
    TaskTransitions.check(task.state(), TaskState.RUNNING);
    TaskRun started =
        new TaskRun(
            TaskState.RUNNING,
            task.attempts() + 1,
            task.startedAt() == null ? now : task.startedAt(),
            null,
            null,
            node,
            task.error());
    RunState state = run.state();
    Instant runStarted = run.startedAt();
    if (state == RunState.PENDING) {
      RunTransitions.check(state, RunState.RUNNING);
      state = RunState.RUNNING;
      runStarted = now;
    }
    return copy(run, state, runStarted, null, with(run, taskId, started));
  }

  public Run taskSucceeded(Run run, String taskId, Instant now) {
    TaskRun task = task(run, taskId);
    return settle(replace(run, taskId, transition(task, TaskState.SUCCEEDED, now, null)), now);
  }

  /**
   * An attempt failed. With {@code retryAt} the task waits in RETRY_WAIT for its next attempt;
   * without, it is FAILED and the run settles.
   */
  public Run taskFailed(Run run, String taskId, Instant now, String error, Instant retryAt) {
    return attemptEnded(run, taskId, now, error, retryAt, TaskState.FAILED);
  }

  /** An attempt ran past its timeout; retried like a failure, else TIMED_OUT. */
  public Run taskTimedOut(Run run, String taskId, Instant now, String error, Instant retryAt) {
    return attemptEnded(run, taskId, now, error, retryAt, TaskState.TIMED_OUT);
  }

  private Run attemptEnded(
      Run run, String taskId, Instant now, String error, Instant retryAt, TaskState finalState) {
    TaskRun task = task(run, taskId);
    if (retryAt != null) {
      TaskTransitions.check(task.state(), TaskState.RETRY_WAIT);
      TaskRun waiting =
          new TaskRun(
              TaskState.RETRY_WAIT,
              task.attempts(),
              task.startedAt(),
              null,
              retryAt,
              task.node(),
              error);
      return replace(run, taskId, waiting);
    }
    return settle(replace(run, taskId, transition(task, finalState, now, error)), now);
  }

  /**
   * The result of {@link #cancel}: the new run and the tasks whose handlers must be interrupted.
   */
  public record Cancellation(Run run, List<String> interrupted) {
    public Cancellation {
      interrupted = List.copyOf(interrupted);
    }
  }

  /**
   * Cancels the run: every non-terminal task becomes CANCELLED (running ones are returned for
   * interruption), the run becomes CANCELLED. Nothing can become READY afterwards because terminal
   * runs have no ready tasks. A terminal run is returned unchanged.
   */
  public Cancellation cancel(Run run, Instant now) {
    return end(run, now, RunState.CANCELLED, TaskState.CANCELLED, "cancelled");
  }

  /** The run passed its deadline: RUNNING tasks become TIMED_OUT, other open tasks CANCELLED. */
  public Cancellation timeOut(Run run, Instant now) {
    return end(run, now, RunState.TIMED_OUT, TaskState.TIMED_OUT, "run timed out");
  }

  private Cancellation end(
      Run run, Instant now, RunState runState, TaskState runningTo, String reason) {
    if (run.state().isTerminal()) {
      return new Cancellation(run, List.of());
    }
    RunTransitions.check(run.state(), runState);
    Map<String, TaskRun> tasks = new LinkedHashMap<>(run.tasks());
    List<String> interrupted = new ArrayList<>();
    tasks.replaceAll(
        (id, task) -> {
          if (task.state().isTerminal()) {
            return task;
          }
          if (task.state() == TaskState.RUNNING) {
            interrupted.add(id);
            return transition(task, runningTo, now, reason);
          }
          return transition(task, TaskState.CANCELLED, now, reason);
        });
    return new Cancellation(copy(run, runState, run.startedAt(), now, tasks), interrupted);
  }

  private TriggerDecision decide(Run run, String taskId) {
    return decide(run, run.tasks(), taskId);
  }

  private TriggerDecision decide(Run run, Map<String, TaskRun> tasks, String taskId) {
    List<TaskState> upstream =
        dag.upstream(taskId).stream().map(u -> task(run, tasks, u).state()).toList();
    return TriggerRules.decide(rules.getOrDefault(taskId, TriggerRule.ALL_SUCCESS), upstream);
  }

  private static TaskRun transition(TaskRun task, TaskState to, Instant now, String error) {
    TaskTransitions.check(task.state(), to);
    return new TaskRun(
        to,
        task.attempts(),
        task.startedAt(),
        now,
        null,
        task.node(),
        error != null ? error : task.error());
  }

  private static TaskRun task(Run run, String taskId) {
    return task(run, run.tasks(), taskId);
  }

  /** A DAG that does not fit the run is a caller's bug: named, rather than a bare NPE. */
  private static TaskRun task(Run run, Map<String, TaskRun> tasks, String taskId) {
    TaskRun task = tasks.get(taskId);
    if (task == null) {
      throw new IllegalArgumentException("run " + run.id() + " has no task '" + taskId + "'");
    }
    return task;
  }

  private static Map<String, TaskRun> with(Run run, String taskId, TaskRun task) {
    Map<String, TaskRun> tasks = new LinkedHashMap<>(run.tasks());
    tasks.put(taskId, task);
    return tasks;
  }

  private static Run replace(Run run, String taskId, TaskRun task) {
    return copy(run, run.state(), run.startedAt(), run.finishedAt(), with(run, taskId, task));
  }

  private static Run copy(
      Run run, RunState state, Instant startedAt, Instant finishedAt, Map<String, TaskRun> tasks) {
    return run.with(state, startedAt, finishedAt, tasks);
  }
}
