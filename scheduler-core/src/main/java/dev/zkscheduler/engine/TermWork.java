package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the leader does during one term, on the tick thread only (no locks): it rebuilds its
 * plan from the store when the term starts, then each tick applies definition changes, records task
 * outcomes, carries out control requests, fires due jobs, and drives active runs through their
 * DAGs. Every state change is a fenced commit; a {@code FencingException} escapes to the tick loop,
 * which drops this object. A state change whose outcome is unknown (store unavailable) also drops
 * it, and the next tick rebuilds from the store: the store, not memory, is the truth.
 */
final class TermWork {

  private static final Logger log = LoggerFactory.getLogger(TermWork.class);

  private final LeaderTerm term;
  private final SchedulerStore store;
  private final DefinitionSource definitions;
  private final Clock clock;
  private final EngineSettings settings;
  private final TaskRunner runner;
  private final EngineMetrics metrics;
  private final TermState state;
  private final TaskAttempts attempts;
  private final FirePlanner planner;
  private final Map<String, JobEntry> jobs;
  private final ActiveRuns active;

  TermWork(
      LeaderTerm term,
      SchedulerStore store,
      Clock clock,
      EngineSettings settings,
      Map<String, TaskHandler> handlers,
      TaskRunner runner,
      EngineMetrics metrics,
      DefinitionSource definitions) {
    this.term = term;
    this.store = store;
    this.definitions = definitions;
    this.clock = clock;
    this.settings = settings;
    this.runner = runner;
    this.metrics = metrics;
    this.state = new TermState(term, store, clock, settings, runner, metrics);
    this.attempts = new TaskAttempts(state, handlers);
    this.planner = state.planner();
    this.jobs = state.jobs();
    this.active = state.active();
  }

  LeaderTerm term() {
    return term;
  }

  /** Loads the plan and recovers runs left by the previous leader (DESIGN.md §3.4). */
  void rebuild() {
    long began = System.nanoTime();
    Instant now = clock.instant();
    // Bulk reads (pipelined on ZooKeeper), not one round trip per job: a new leader's takeover
    // time is dominated by reading, and large clusters hold 100,000 jobs. The definitions usually
    // come from this node's own definition watch (DefinitionSource).
    Map<String, Versioned<ScheduleState>> states = store.allScheduleStates();
    List<Versioned<JobDefinition>> all = definitions.all();
    long read = System.nanoTime();
    for (Versioned<JobDefinition> definition : all) {
      JobEntry entry = new JobEntry(definition, states.get(definition.value().id()));
      jobs.put(entry.job.id(), entry);
      plan(entry, null, now);
    }
    flushPlans();
    for (Versioned<Run> run : store.activeRuns()) {
      JobEntry entry = jobs.get(run.value().jobId());
      if (entry == null) {
        // The job was deleted while its run was active: end it.
        cancelOrphan(run);
        continue;
      }
      active.put(run);
      recover(entry, run);
    }
    state.flush();
    log.info(
        "term {}: plan rebuilt with {} jobs and {} active runs in {} ms ({} ms reading jobs and"
            + " schedule states)",
        term.epoch(),
        jobs.size(),
        activeCount(),
        (System.nanoTime() - began) / 1_000_000,
        (read - began) / 1_000_000);
  }

  /**
   * An attempt that was RUNNING under a previous leader is lost: count it and re-offer per retry.
   */
  private void recover(JobEntry entry, Versioned<Run> versioned) {
    Run run = versioned.value();
    Instant now = clock.instant();
    boolean changed = false;
    for (Map.Entry<String, TaskRun> task : run.tasks().entrySet()) {
      TaskRunner.AttemptKey key =
          new TaskRunner.AttemptKey(
              run.jobId(), run.id(), task.getKey(), task.getValue().attempts());
      if (task.getValue().state() == TaskState.RUNNING && !runner.isRunning(key)) {
        run =
            attempts.failAttempt(
                entry,
                run,
                task.getKey(),
                task.getValue().attempts(),
                "attempt lost with the previous leader",
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
    Run cancelled = endWithoutDag(versioned.value(), clock.instant());
    state.commitOrDrop(List.of(new StoreOp.UpdateRun(cancelled, versioned.version())));
    metrics.runEnded(cancelled.state());
  }

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
    return new Run(
        run.id(),
        run.jobId(),
        run.nominalTime(),
        run.trigger(),
        RunState.CANCELLED,
        run.createdAt(),
        run.startedAt(),
        now,
        run.epoch(),
        tasks);
  }

  // ---- one tick ----

  void tick(List<DefinitionChange> changes) {
    long[] phase = new long[7];
    phase[0] = System.nanoTime();
    applyAll(changes);
    phase[1] = System.nanoTime();
    attempts.recordOutcomes();
    state.flush();
    phase[2] = System.nanoTime();
    consumeRequests();
    phase[3] = System.nanoTime();
    fireDue();
    state.flush();
    phase[4] = System.nanoTime();
    driveRuns();
    phase[5] = System.nanoTime();
    pruneHistory();
    phase[6] = System.nanoTime();
    if (phase[6] - phase[0] > SLOW_TICK_NANOS) {
      log.warn(
          "term {}: a tick took {} ms (definitions {} ms for {} changes, outcomes {} ms, requests"
              + " {} ms, firing {} ms, starting {} ms, pruning {} ms); fires due meanwhile wait",
          term.epoch(),
          millis(phase[6] - phase[0]),
          millis(phase[1] - phase[0]),
          changes.size(),
          millis(phase[2] - phase[1]),
          millis(phase[3] - phase[2]),
          millis(phase[4] - phase[3]),
          millis(phase[5] - phase[4]),
          millis(phase[6] - phase[5]));
    }
  }

  /** A tick slower than this is logged with where its time went. */
  private static final long SLOW_TICK_NANOS = 1_000_000_000L;

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  // ---- definitions ----

  /**
   * Applies the tick's definition changes: the schedule states of jobs new to this leader are read
   * in one pipelined batch, and the states to persist are written in batched multis, so that 10,000
   * jobs created at once cost a few round trips, not two each.
   */
  private void applyAll(List<DefinitionChange> changes) {
    if (changes.isEmpty()) {
      return;
    }
    List<String> fresh = new ArrayList<>();
    for (DefinitionChange change : changes) {
      if (!change.deleted() && !jobs.containsKey(change.jobId())) {
        fresh.add(change.jobId());
      }
    }
    Map<String, Versioned<ScheduleState>> states =
        fresh.isEmpty() ? Map.of() : store.scheduleStates(fresh);
    for (DefinitionChange change : changes) {
      apply(change, states);
    }
    flushPlans();
  }

  private void apply(DefinitionChange change, Map<String, Versioned<ScheduleState>> states) {
    Instant now = clock.instant();
    if (change.deleted()) {
      JobEntry gone = jobs.remove(change.jobId());
      plans.remove(change.jobId());
      if (gone != null) {
        for (Versioned<Run> run : List.copyOf(active.of(change.jobId()).values())) {
          state.cancel(gone, run, "job deleted");
        }
        state.flush();
        removeJobRecords(change.jobId());
      }
      planner.untrack(change.jobId());
      return;
    }
    Versioned<JobDefinition> definition = change.definition();
    JobEntry old = jobs.get(definition.value().id());
    if (old != null && isStale(old, definition)) {
      return;
    }
    JobEntry entry =
        new JobEntry(definition, old != null ? old.state : states.get(definition.value().id()));
    jobs.put(entry.job.id(), entry);
    plan(entry, old != null ? old.job : null, now);
  }

  /**
   * Whether a reported definition is one the plan already has, or older. The local call and the
   * watcher both report each change; a version that went back to 0 is a job deleted and created
   * again, which is news.
   */
  private static boolean isStale(JobEntry old, Versioned<JobDefinition> reported) {
    if (reported.version() == old.definitionVersion) {
      return old.job.equals(reported.value());
    }
    return reported.version() < old.definitionVersion && reported.version() != 0;
  }

  /**
   * Persists the job's progress if it changed (a new job, an edited schedule: DESIGN.md G3 wants
   * the next fire stored before it falls due, so a failover cannot lose it) and queues its fire.
   */
  private void plan(JobEntry entry, JobDefinition previous, Instant now) {
    planner.untrack(entry.job.id());
    if (entry.job.schedule() == null) {
      return;
    }
    ScheduleState desired = FirePlanner.progressFor(entry, previous, now);
    if (entry.state == null || !desired.equals(entry.state.value())) {
      // Written by flushPlans() with the others of this tick; queued for firing once written.
      plans.put(entry.job.id(), new PlannedState(entry, desired));
      return;
    }
    planner.schedule(entry);
  }

  /** A job's progress to persist before its next fire is queued. */
  private record PlannedState(JobEntry entry, ScheduleState desired) {}

  /** Schedule states per commit when planning: small records, well within a multi's budget. */
  private static final int PLANS_PER_COMMIT = 500;

  private final Map<String, PlannedState> plans = new LinkedHashMap<>();

  private void flushPlans() {
    List<PlannedState> all = new ArrayList<>(plans.values());
    plans.clear();
    List<List<PlannedState>> chunks = new ArrayList<>();
    List<List<StoreOp>> batches = new ArrayList<>();
    for (int from = 0; from < all.size(); from += PLANS_PER_COMMIT) {
      List<PlannedState> chunk = all.subList(from, Math.min(all.size(), from + PLANS_PER_COMMIT));
      List<StoreOp> ops = new ArrayList<>();
      chunk.forEach(p -> ops.add(FirePlanner.stateOp(p.entry(), p.desired())));
      chunks.add(chunk);
      batches.add(ops);
    }
    List<CommitResult> results = batches.isEmpty() ? List.of() : state.commitEach(batches);
    for (int i = 0; i < results.size(); i++) {
      if (!results.get(i).committed()) {
        throw new StaleViewException("writing schedule states: " + results.get(i));
      }
      for (PlannedState p : chunks.get(i)) {
        JobEntry entry = p.entry();
        entry.state =
            new Versioned<>(p.desired(), entry.state == null ? 0 : entry.state.version() + 1);
        if (jobs.get(entry.job.id()) == entry) {
          planner.schedule(entry);
        }
      }
    }
  }

  /** A deleted job's schedule state and run history go too (terminal runs only, in batches). */
  private void removeJobRecords(String jobId) {
    List<StoreOp> ops = new ArrayList<>();
    for (Versioned<Run> run : store.runs(jobId, Integer.MAX_VALUE)) {
      if (run.value().state().isTerminal()) {
        ops.add(new StoreOp.DeleteRun(jobId, run.value().id(), run.version()));
      }
      if (ops.size() == 200) {
        state.commitOrDrop(ops);
        ops = new ArrayList<>();
      }
    }
    ops.add(new StoreOp.DeleteScheduleState(jobId));
    state.commitOrDrop(ops);
    active.forgetJob(jobId);
  }

  // ---- requests ----

  private void consumeRequests() {
    for (ControlRequest request : store.pendingRequests()) {
      JobEntry entry = jobs.get(request.jobId());
      List<StoreOp> ops = new ArrayList<>();
      ops.add(new StoreOp.DeleteRequest(request.id()));
      if (entry == null) {
        log.info("request {} for unknown job {} dropped", request.id(), request.jobId());
        state.commitOrDrop(ops);
        continue;
      }
      switch (request.kind()) {
        case TRIGGER, BACKFILL -> {
          RunTrigger trigger =
              request.kind() == ControlRequest.Kind.TRIGGER
                  ? RunTrigger.MANUAL
                  : RunTrigger.BACKFILL;
          List<FirePlanner.Fire> fires = new ArrayList<>();
          for (int i = 0; i < request.runIds().size(); i++) {
            Instant nominal =
                request.nominalTimes().size() > i
                    ? request.nominalTimes().get(i)
                    : request.requestedAt();
            fires.add(new FirePlanner.Fire(request.runIds().get(i), nominal, trigger));
          }
          // The request is deleted with the last chunk: if this leader dies midway, the next one
          // carries the request out again, and the runs already created are duplicates prevented.
          for (int from = 0; from < fires.size(); from += settings.maxFiresPerCommit()) {
            int to = Math.min(fires.size(), from + settings.maxFiresPerCommit());
            createRuns(
                entry, fires.subList(from, to), to == fires.size() ? ops : new ArrayList<>(), null);
          }
          if (fires.isEmpty()) {
            state.commitOrDrop(ops);
          }
        }
        case CANCEL -> {
          for (String runId : request.runIds()) {
            Versioned<Run> run = active.get(entry.job.id(), runId);
            if (run != null) {
              state.cancel(entry, run, "cancelled by request " + request.id());
            }
          }
          // The cancellation is written before the request is deleted: a leader dying between
          // the two leaves the request for the next one, and cancelling twice changes nothing.
          state.flush();
          state.commitOrDrop(ops);
        }
      }
    }
  }

  // ---- firing ----

  private void fireDue() {
    Instant now = clock.instant();
    List<List<Creation>> batches = new ArrayList<>();
    List<Creation> batch = new ArrayList<>();
    int runsInBatch = 0;
    for (FirePlanner.DueJob due : planner.due(now, jobs)) {
      JobEntry entry = due.entry();
      Map<String, Versioned<Run>> running = Map.copyOf(active.of(entry.job.id()));
      List<StoreOp> ops = new ArrayList<>();
      ops.add(FirePlanner.stateOp(entry, due.newState()));
      Creation creation = creation(entry, due.plan(), ops, running);
      batch.add(creation);
      runsInBatch += creation.runs().size();
      if (runsInBatch >= settings.maxFiresPerCommit()) {
        batches.add(batch);
        batch = new ArrayList<>();
        runsInBatch = 0;
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    for (int from = 0; from < batches.size(); from += CREATION_BATCHES_IN_FLIGHT) {
      commitCreationsTogether(
          batches.subList(from, Math.min(batches.size(), from + CREATION_BATCHES_IN_FLIGHT)));
    }
  }

  /**
   * Batches of fires sent to the store together. A burst of 10,000 due jobs is 100 batches: written
   * one after another, each waited for ZooKeeper's log sync (~20 ms here); sent in groups,
   * ZooKeeper syncs a group at once, and the handlers of a group start before the next is sent.
   */
  private static final int CREATION_BATCHES_IN_FLIGHT = 8;

  /** Commits independent batches of creations together; a batch with a duplicate is redone. */
  private void commitCreationsTogether(List<List<Creation>> group) {
    // A REPLACE fire staged the cancellation of the run it replaces: it is written before the new
    // run exists (and its handler starts), so the store never holds both as running.
    state.flush();
    if (group.size() == 1) {
      commitCreations(new ArrayList<>(group.get(0)));
      return;
    }
    long contact = System.nanoTime();
    List<List<StoreOp>> multis = new ArrayList<>();
    for (List<Creation> batch : group) {
      List<StoreOp> all = new ArrayList<>();
      for (Creation c : batch) {
        all.addAll(c.ops());
        c.runs().forEach(run -> all.add(new StoreOp.CreateRun(run)));
      }
      multis.add(all);
    }
    List<CommitResult> results = state.commitEach(multis);
    List<List<Creation>> redo = new ArrayList<>();
    CommitResult refused = null;
    for (int i = 0; i < results.size(); i++) {
      CommitResult result = results.get(i);
      if (result.committed()) {
        group.get(i).forEach(this::created);
      } else if (result.outcome() == CommitResult.Outcome.EXISTED) {
        redo.add(group.get(i)); // commitCreations finds the duplicate and commits the rest
      } else if (refused == null) {
        refused = result;
      }
    }
    // The committed batches recorded their starts: their handlers are called even if a sibling
    // batch was refused (the next rebuild would otherwise count them as attempts lost).
    runner.lease().renew(contact);
    state.startCommitted();
    if (refused != null) {
      throw new StaleViewException("creating runs: " + refused);
    }
    for (List<Creation> batch : redo) {
      commitCreations(new ArrayList<>(batch));
    }
  }

  /**
   * The runs to create for one job, with the other ops that must commit with them, and for each run
   * created with tasks already started, the run as fired and the tasks started in it.
   */
  private record Creation(
      JobEntry entry, List<StoreOp> ops, List<Run> runs, Map<String, Started> starts) {
    Creation without(Run duplicate) {
      List<Run> rest = new ArrayList<>(runs);
      rest.remove(duplicate);
      Map<String, Started> startsLeft = new HashMap<>(starts);
      startsLeft.remove(duplicate.id());
      return new Creation(entry, ops, rest, startsLeft);
    }
  }

  /** Tasks whose start is recorded in {@code after}, a change of {@code before}. */
  private record Started(Run before, List<String> tasks) {}

  /**
   * Persists the runs of {@code fires} with {@code ops} (manual and backfill: {@code running}
   * null).
   */
  private void createRuns(
      JobEntry entry,
      List<FirePlanner.Fire> fires,
      List<StoreOp> ops,
      Map<String, Versioned<Run>> running) {
    commitCreations(new ArrayList<>(List.of(creation(entry, fires, ops, running))));
  }

  /**
   * Builds the runs of {@code fires}, applying the job's concurrency policy to scheduled fires
   * ({@code running} is null for manual and backfill runs, which always run).
   */
  private Creation creation(
      JobEntry entry,
      List<FirePlanner.Fire> fires,
      List<StoreOp> ops,
      Map<String, Versioned<Run>> running) {
    Instant now = clock.instant();
    List<Run> created = new ArrayList<>();
    Map<String, Started> starts = new HashMap<>();
    boolean busy = running != null && !running.isEmpty();
    for (FirePlanner.Fire fire : fires) {
      boolean scheduled = running != null;
      if (scheduled && busy && entry.job.concurrencyPolicy() == ConcurrencyPolicy.REPLACE) {
        for (Versioned<Run> run : List.copyOf(running.values())) {
          state.cancel(entry, run, "replaced by the fire at " + fire.nominal());
        }
        busy = false;
      }
      Run run =
          scheduled && busy && entry.job.concurrencyPolicy() == ConcurrencyPolicy.FORBID
              ? entry.progress.skippedRun(
                  fire.runId(), entry.job.id(), fire.nominal(), fire.trigger(), now, term.epoch())
              : entry.progress.newRun(
                  fire.runId(), entry.job.id(), fire.nominal(), fire.trigger(), now, term.epoch());
      if (!run.state().isTerminal()) {
        // The run is created with its first tasks already started: one fenced write records both
        // (a write and a round trip less per fire than creating it, then starting it).
        List<String> ready = entry.progress.readyTasks(run);
        if (!ready.isEmpty()) {
          Run fired = run;
          run = attempts.markStarted(entry, run, ready, now);
          starts.put(run.id(), new Started(fired, ready));
        }
      }
      created.add(run);
      busy = busy || !run.state().isTerminal();
    }
    return new Creation(entry, new ArrayList<>(ops), created, starts);
  }

  /**
   * Commits the creations in one fenced multi. A run that already exists (fired before a failover,
   * or by a commit retried after a connection loss) is a duplicate prevented: counted, never run,
   * and the others are committed without it.
   */
  private void commitCreations(List<Creation> batch) {
    state.flush(); // cancellations of replaced runs first (see commitCreationsTogether)
    long contact = System.nanoTime();
    while (true) {
      List<StoreOp> all = new ArrayList<>();
      List<Creation> owner = new ArrayList<>();
      for (Creation c : batch) {
        for (StoreOp op : c.ops()) {
          all.add(op);
          owner.add(c);
        }
        for (Run run : c.runs()) {
          all.add(new StoreOp.CreateRun(run));
          owner.add(c);
        }
      }
      if (all.isEmpty()) {
        return;
      }
      CommitResult result = state.commit(all);
      if (result.outcome() == CommitResult.Outcome.EXISTED
          && all.get(result.failedOp()) instanceof StoreOp.CreateRun duplicate) {
        metrics.duplicatePrevented();
        log.info(
            "run {} of job {} already exists: duplicate fire prevented",
            duplicate.run().id(),
            duplicate.run().jobId());
        Creation c = owner.get(result.failedOp());
        batch.set(batch.indexOf(c), c.without(duplicate.run()));
        continue;
      }
      if (!result.committed()) {
        throw new StaleViewException("creating runs: " + result);
      }
      for (Creation c : batch) {
        created(c);
      }
      // The commit recorded the starts, and is fresh proof that the session was alive when it was
      // sent (see Lease): the handlers start now, not after the rest of a large burst is written.
      runner.lease().renew(contact);
      state.startCommitted();
      return;
    }
  }

  private void created(Creation c) {
    JobEntry entry = c.entry();
    for (StoreOp op : c.ops()) {
      if (op instanceof StoreOp.PutScheduleState put) {
        entry.state =
            new Versioned<>(put.state(), entry.state == null ? 0 : entry.state.version() + 1);
        planner.schedule(entry);
      }
    }
    for (Run run : c.runs()) {
      metrics.fired(run);
      if (!run.state().isTerminal()) {
        active.put(new Versioned<>(run, 0));
        Started started = c.starts().get(run.id());
        if (started != null) {
          attempts.queueStarts(entry, started.before(), run, started.tasks(), run.startedAt());
        }
      } else {
        metrics.runEnded(run.state());
      }
    }
  }

  // ---- driving runs ----

  private void driveRuns() {
    Instant now = clock.instant();
    for (TaskRunner.AttemptKey key : runner.overdue(now)) {
      if (runner.interrupt(key)) {
        attempts.record(new TaskRunner.Outcome(key, false, "timed out", now), true);
      }
    }
    for (Map.Entry<String, List<Versioned<Run>>> byJob : active.snapshot()) {
      JobEntry entry = jobs.get(byJob.getKey());
      if (entry == null) {
        continue;
      }
      for (Versioned<Run> versioned : byJob.getValue()) {
        Run run = versioned.value();
        Instant started = run.startedAt() != null ? run.startedAt() : run.createdAt();
        if (!started.plus(entry.job.timeout()).isAfter(now)) {
          RunProgress.Cancellation c = entry.progress.timeOut(run, now);
          c.interrupted()
              .forEach(
                  task ->
                      runner.interrupt(
                          new TaskRunner.AttemptKey(
                              run.jobId(), run.id(), task, run.tasks().get(task).attempts())));
          state.stage(versioned, c.run());
          continue;
        }
        startReady(entry, versioned);
      }
    }
    // Every start is recorded (fenced) before any handler is called: no attempt starts twice. The
    // commit is also fresh proof that the session was alive when it was sent (see Lease).
    long contact = System.nanoTime();
    boolean writes = active.hasStaged();
    try {
      state.flush();
      if (writes) {
        runner.lease().renew(contact);
      }
      state.startCommitted();
    } catch (RuntimeException e) {
      // Some multis may have committed before one was refused: their starts are recorded, so
      // their handlers are called; the others' are dropped with the view.
      state.startCommitted();
      throw e;
    }
  }

  /**
   * Records the start of every ready task (and due retry) in one fenced write, then starts them.
   */
  private void startReady(JobEntry entry, Versioned<Run> versioned) {
    Instant now = clock.instant();
    Run run = versioned.value();
    List<String> starting = new ArrayList<>(entry.progress.retriesDue(run, now));
    starting.addAll(entry.progress.readyTasks(run));
    if (starting.isEmpty()) {
      return;
    }
    Run next = attempts.markStarted(entry, run, starting, now);
    state.stage(versioned, next);
    attempts.queueStarts(entry, run, next, starting, now);
  }

  // ---- retention ----

  /**
   * Jobs whose run listing is read per tick: one listing and at most one delete multi, so pruning
   * never stalls a tick (bunching 20 jobs into one tick in 20 showed as a p99 fire-lag tail in
   * scheduler-bench), while 20 visits a second keep up with 1,000 jobs firing every second.
   */
  private static final int JOBS_PRUNED_PER_TICK = 1;

  private java.util.Iterator<String> pruneCursor = java.util.Collections.emptyIterator();

  /**
   * Keeps at most {@code retainedRuns} terminal runs per job (plus the active ones), deleting the
   * oldest. Round-robin over the jobs, a few per pruning tick, reading only the run listing: a run
   * the leader does not hold as active is terminal (the leader holds every non-terminal run), so it
   * is deleted without being read. The footprint stays bounded without a scan of every run.
   */
  private void pruneHistory() {
    for (int i = 0; i < JOBS_PRUNED_PER_TICK; i++) {
      if (!pruneCursor.hasNext()) {
        pruneCursor = List.copyOf(jobs.keySet()).iterator();
        if (!pruneCursor.hasNext()) {
          return;
        }
      }
      String jobId = pruneCursor.next();
      List<String> ids = store.runIds(jobId);
      Map<String, Versioned<Run>> activeRuns = active.of(jobId);
      int keep = settings.retainedRuns() + activeRuns.size();
      if (ids.size() <= keep) {
        continue;
      }
      List<StoreOp> ops = new ArrayList<>();
      for (String runId : ids.subList(keep, Math.min(ids.size(), keep + 200))) {
        if (!activeRuns.containsKey(runId)) {
          ops.add(new StoreOp.DeleteRun(jobId, runId, StoreOp.ANY_VERSION));
        }
      }
      if (!ops.isEmpty()) {
        state.commitOrDrop(ops);
      }
    }
  }

  // ---- helpers ----

  int activeCount() {
    return active.count();
  }

  /** The leader's memory no longer matches the store: drop it and rebuild from the store. */
  static final class StaleViewException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleViewException(String message) {
      super(message);
    }
  }

  /** A job definition created, changed or deleted. */
  record DefinitionChange(String jobId, Versioned<JobDefinition> definition) {
    boolean deleted() {
      return definition == null;
    }
  }
}
