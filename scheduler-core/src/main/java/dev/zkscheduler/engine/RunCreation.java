package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates runs: the fires of jobs that fell due (under the job's concurrency policy, with the job's
 * new schedule progress in the same write) and the runs of trigger and backfill requests. A run is
 * created with its first tasks already started on the workers chosen for them, so one fenced write
 * records both and gives the attempts to their workers. A run that already exists is a duplicate
 * prevented: counted, never run.
 */
final class RunCreation {

  private static final Logger log = LoggerFactory.getLogger(RunCreation.class);

  /**
   * Batches of fires sent to the store together. A burst of 10,000 due jobs is 100 batches: written
   * one after another, each waited for ZooKeeper's log sync (~20 ms here); sent in groups,
   * ZooKeeper syncs a group at once, and the workers see a group before the next is sent.
   */
  private static final int CREATION_BATCHES_IN_FLIGHT = 8;

  /** The runs to create for one job, with the other ops that must commit with them. */
  private record Creation(JobEntry entry, List<StoreOp> ops, List<Run> runs) {
    /** Runs {@code from} to {@code to}, with the job's own writes only if {@code withOps}. */
    Creation part(int from, int to, boolean withOps) {
      return new Creation(
          entry, withOps ? ops : List.of(), new ArrayList<>(runs.subList(from, to)));
    }

    Creation without(Run duplicate) {
      List<Run> rest = new ArrayList<>(runs);
      rest.remove(duplicate);
      return new Creation(entry, ops, rest);
    }
  }

  private final TermState state;
  private final TaskAttempts attempts;

  /**
   * Jobs whose own writes did not fit the store even without runs (see {@link #commitInHalves}).
   */
  private final java.util.Set<String> tooLargeJobs = new java.util.HashSet<>();

  /** A saturated leader says so at most this often (the counter counts every such tick). */
  private static final long SATURATION_LOG_NANOS = 30_000_000_000L;

  /** When a saturated tick was last logged; a term's first one always is. */
  private long saturationLogged = System.nanoTime() - SATURATION_LOG_NANOS;

  RunCreation(TermState state, TaskAttempts attempts) {
    this.state = state;
    this.attempts = attempts;
  }

  /**
   * Fires the jobs due now, oldest first, up to {@link EngineSettings#maxFiresPerTick()} (the rest
   * fire on the next ticks), in batches of at most {@code maxFiresPerCommit} runs.
   *
   * @return whether fires due now were left for the next tick
   */
  boolean fireDue() {
    Instant now = state.clock().instant();
    int perCommit = state.settings().maxFiresPerCommit();
    List<List<Creation>> batches = new ArrayList<>();
    List<Creation> batch = new ArrayList<>();
    int runsInBatch = 0;
    List<FirePlanner.DueJob> dueJobs =
        state.planner().due(now, state.jobs(), state::forJob, state.settings().maxFiresPerTick());
    boolean saturated = noteSaturation(now, dueJobs.size());
    for (FirePlanner.DueJob due : dueJobs) {
      JobEntry entry = due.entry();
      Creation[] built = new Creation[1];
      boolean ok =
          state.forJob(
              entry.job.id(),
              "building its due runs",
              () -> {
                Map<String, Versioned<Run>> running = Map.copyOf(state.active().of(entry.job.id()));
                List<StoreOp> ops = new ArrayList<>();
                ops.add(FirePlanner.stateOp(entry, due.newState()));
                built[0] = creation(entry, due.plan(), ops, running);
              });
      if (!ok) {
        continue;
      }
      Creation creation = built[0];
      batch.add(creation);
      runsInBatch += creation.runs().size();
      if (runsInBatch >= perCommit) {
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
    return saturated;
  }

  /** Counts (and now and then logs) a tick that left due fires for the next one; whether so. */
  private boolean noteSaturation(Instant now, int jobs) {
    Instant oldest = state.planner().oldestDue(now);
    if (oldest == null) {
      return false;
    }
    state.metrics().tickSaturated();
    long at = System.nanoTime();
    if (at - saturationLogged >= SATURATION_LOG_NANOS) {
      saturationLogged = at;
      log.warn(
          "term {}: the leader is saturated: this tick fires {} jobs, its most ({} fires), and"
              + " leaves the rest, due since {} ({} ms ago), to the next ticks, oldest first;"
              + " counted in zkscheduler.engine.ticks.saturated. Fires later than their misfire"
              + " threshold follow their job's misfire policy.",
          state.term().epoch(),
          jobs,
          state.settings().maxFiresPerTick(),
          oldest,
          java.time.Duration.between(oldest, now).toMillis());
    }
    return true;
  }

  /**
   * Creates the runs of manual or backfill {@code fires} with {@code ops}; they run whatever the
   * job's concurrency policy. The caller keeps them within the job's room under {@link
   * InFlightLists#MAX_RUNS_IN_FLIGHT}.
   *
   * @throws IllegalStateException if the job's own writes are too large to store even without runs
   *     (nothing of {@code ops} was written)
   */
  void createUnconditionally(JobEntry entry, List<FirePlanner.Fire> fires, List<StoreOp> ops) {
    tooLargeJobs.clear();
    commitCreations(new ArrayList<>(List.of(creation(entry, fires, ops, null))));
    if (tooLargeJobs.remove(entry.job.id())) {
      throw new IllegalStateException(
          "job " + entry.job.id() + "'s writes are too large to store even without runs");
    }
  }

  /**
   * Builds the runs of {@code fires}, applying the job's concurrency policy to scheduled fires
   * ({@code running} is null for manual and backfill runs, which always run). A REPLACE fire only
   * stages the cancellation: {@link TermState} writes it before the new run is created.
   */
  private Creation creation(
      JobEntry entry,
      List<FirePlanner.Fire> fires,
      List<StoreOp> ops,
      Map<String, Versioned<Run>> running) {
    Instant now = state.clock().instant();
    long epoch = state.term().epoch();
    List<Run> created = new ArrayList<>();
    boolean busy = running != null && !running.isEmpty();
    // The runs in flight the job's schedule state lists once this creation commits (a REPLACE's
    // cancellations are written, and known ended, before it is).
    int inFlight = state.lists().inFlight(entry.job.id());
    for (FirePlanner.Fire fire : fires) {
      boolean scheduled = running != null;
      if (scheduled && busy && entry.job.concurrencyPolicy() == ConcurrencyPolicy.REPLACE) {
        for (Versioned<Run> run : List.copyOf(running.values())) {
          state.cancel(entry, run, "replaced by the fire at " + fire.nominal());
          inFlight--;
        }
        busy = false;
      }
      boolean atCap = inFlight >= InFlightLists.MAX_RUNS_IN_FLIGHT;
      Run run;
      if (scheduled && busy && entry.job.concurrencyPolicy() == ConcurrencyPolicy.FORBID) {
        run =
            entry.progress.skippedRun(
                fire.runId(), entry.job.id(), fire.nominal(), fire.trigger(), now, epoch);
      } else if (scheduled && atCap) {
        String reason =
            "skipped: the job has "
                + inFlight
                + " runs in flight, the most a job may have ("
                + InFlightLists.MAX_RUNS_IN_FLIGHT
                + ")";
        log.warn("job {}: the fire at {} is {}", entry.job.id(), fire.nominal(), reason);
        state.metrics().runsOverInFlightCap(1);
        run =
            entry.progress.skippedRun(
                fire.runId(), entry.job.id(), fire.nominal(), fire.trigger(), now, epoch, reason);
      } else {
        // Manual and backfill fires were cut to the job's room by their caller.
        run =
            entry.progress.newRun(
                fire.runId(), entry.job.id(), fire.nominal(), fire.trigger(), now, epoch);
      }
      if (!run.state().isTerminal()) {
        // The run is created with its first tasks already started: one fenced write records both
        // (a write and a round trip less per fire than creating it, then starting it). Tasks no
        // worker can take now start on a later tick.
        List<String> ready = entry.progress.readyTasks(run);
        if (!ready.isEmpty()) {
          run = attempts.markStarted(entry, run, ready, now);
        }
      }
      created.add(run);
      busy = busy || !run.state().isTerminal();
      inFlight += run.state().isTerminal() ? 0 : 1;
    }
    return new Creation(entry, new ArrayList<>(ops), created);
  }

  /** Commits independent batches of creations together; a batch with a duplicate is redone. */
  private void commitCreationsTogether(List<List<Creation>> group) {
    if (group.size() == 1) {
      commitCreations(new ArrayList<>(group.get(0)));
      return;
    }
    List<List<StoreOp>> multis = new ArrayList<>();
    for (List<Creation> batch : group) {
      List<StoreOp> all = new ArrayList<>();
      for (Creation c : batch) {
        all.addAll(c.ops());
        c.runs().forEach(run -> all.add(new StoreOp.CreateRun(run)));
      }
      multis.add(all);
    }
    List<CommitResult> results;
    try {
      results = state.commitEach(multis);
    } catch (RecordTooLargeException tooLarge) {
      // Nothing was written: each batch goes alone, split further if it still does not fit.
      for (List<Creation> batch : group) {
        commitCreations(new ArrayList<>(batch));
      }
      return;
    }
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
    if (refused != null) {
      throw new TermWork.StaleViewException("creating runs: " + refused);
    }
    for (List<Creation> batch : redo) {
      commitCreations(new ArrayList<>(batch));
    }
  }

  /**
   * Commits the creations in one fenced multi. A run that already exists (fired before a failover,
   * or by a commit retried after a connection loss) is a duplicate prevented: counted, never run,
   * and the others are committed without it.
   */
  private void commitCreations(List<Creation> batch) {
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
      CommitResult result;
      try {
        result = state.commit(all);
      } catch (RecordTooLargeException tooLarge) {
        commitInHalves(batch, tooLarge);
        return;
      }
      if (result.outcome() == CommitResult.Outcome.EXISTED
          && all.get(result.failedOp()) instanceof StoreOp.CreateRun duplicate) {
        state.metrics().duplicatePrevented();
        log.info(
            "run {} of job {} already exists: duplicate fire prevented",
            duplicate.run().id(),
            duplicate.run().jobId());
        Creation c = owner.get(result.failedOp());
        batch.set(batch.indexOf(c), c.without(duplicate.run()));
        continue;
      }
      if (!result.committed()) {
        throw new TermWork.StaleViewException("creating runs: " + result);
      }
      for (Creation c : batch) {
        created(c);
      }
      return;
    }
  }

  /**
   * Runs carry their DAG, so a batch counted in runs can exceed the commit budget (nothing was
   * written): the creations are committed in halves, and one job's runs in halves too, the job's
   * own writes (schedule progress, the request it carries out) with the last half, so they are
   * written only once every run before them is. A single run too large to store is not created
   * (logged, counted as its job failing alone) and the job's own writes are committed without it:
   * the job stays in the fire plan, its progress moves past the fire, and the request is deleted.
   * Only when the job's own writes do not fit alone (its schedule state over the budget) is the job
   * taken out of the fire plan, until it is edited or a new term loads it; a request is then
   * deleted by its caller ({@link #createUnconditionally} throws).
   */
  private void commitInHalves(List<Creation> batch, RecordTooLargeException tooLarge) {
    if (batch.size() > 1) {
      int half = batch.size() / 2;
      commitCreations(new ArrayList<>(batch.subList(0, half)));
      commitCreations(new ArrayList<>(batch.subList(half, batch.size())));
      return;
    }
    Creation c = batch.get(0);
    if (c.runs().size() > 1) {
      int half = c.runs().size() / 2;
      commitCreations(new ArrayList<>(List.of(c.part(0, half, false))));
      commitCreations(new ArrayList<>(List.of(c.part(half, c.runs().size(), true))));
      return;
    }
    String jobId = c.entry().job.id();
    if (c.runs().size() == 1) {
      state.forJob(
          jobId,
          "creating run " + c.runs().get(0).id() + ", too large to store (it is not created)",
          false,
          () -> {
            throw tooLarge;
          });
      commitCreations(new ArrayList<>(List.of(c.part(0, 0, true))));
      return;
    }
    tooLargeJobs.add(jobId);
    state.forJob(
        jobId,
        "writing its schedule state with its runs, too large to store",
        () -> {
          throw tooLarge;
        });
  }

  /** Takes a committed creation into the leader's memory. */
  private void created(Creation c) {
    JobEntry entry = c.entry();
    // The write path took the schedule state written (with the runs it lists) into the entry.
    if (c.ops().stream().anyMatch(StoreOp.PutScheduleState.class::isInstance)) {
      state.planner().schedule(entry);
    }
    for (Run run : c.runs()) {
      state.metrics().fired(run);
      if (!run.state().isTerminal()) {
        state.active().put(new Versioned<>(run, 0));
      } else {
        state.metrics().runEnded(run.state());
      }
    }
  }
}
