package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ListedRuns;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the leader does during one term, on the tick thread only (no locks): it rebuilds its
 * plan from the store when the term starts, then each tick applies definition changes, records task
 * outcomes and gives the slots they free to the oldest queued runs (one write), carries out control
 * requests, fires due jobs, drives every active run through its DAG and prunes old runs. A tick
 * woken by a report skips the requests, the pass over every run and the pruning. Every state change
 * is a fenced commit through {@link TermState}; a {@code FencingException} escapes to the tick
 * loop, which drops this object. A state change whose outcome is unknown (store unavailable) also
 * drops it, and the next tick rebuilds from the store: the store, not memory, is the truth.
 */
final class TermWork {

  private static final Logger log = LoggerFactory.getLogger(TermWork.class);

  /** A tick slower than this is logged with where its time went. */
  private static final long SLOW_TICK_NANOS = 1_000_000_000L;

  private final DefinitionSource definitions;
  private final TermState state;
  private final TaskAttempts attempts;
  private final DefinitionSync definitionSync;
  private final ControlRequests requests;
  private final RunCreation creation;
  private final RunDriver driver;
  private final HistoryPruning pruning;
  private final RunListTidying tidying;

  TermWork(
      LeaderTerm term,
      SchedulerStore store,
      Clock clock,
      EngineSettings settings,
      Workers workers,
      EngineMetrics metrics,
      DefinitionSource definitions) {
    this(term, store, clock, settings, workers, metrics, definitions, LocalHandOff.NONE);
  }

  TermWork(
      LeaderTerm term,
      SchedulerStore store,
      Clock clock,
      EngineSettings settings,
      Workers workers,
      EngineMetrics metrics,
      DefinitionSource definitions,
      LocalHandOff handed) {
    this.definitions = definitions;
    this.state = new TermState(term, store, clock, settings, workers, metrics, handed);
    this.attempts = new TaskAttempts(state);
    this.definitionSync = new DefinitionSync(state);
    this.creation = new RunCreation(state, attempts);
    this.requests = new ControlRequests(state, creation);
    this.driver = new RunDriver(state, attempts);
    this.pruning = new HistoryPruning(state);
    this.tidying = new RunListTidying(state);
  }

  LeaderTerm term() {
    return state.term();
  }

  int activeCount() {
    return state.active().count();
  }

  /** Attempts assigned to workers and not settled, as this term knows them. */
  int assignedCount() {
    return state.dispatch().count();
  }

  /**
   * Runs with a ready task that found no worker with a free slot, as the last tick left them (a
   * tick woken by a report puts them back in line without asking every worker again).
   */
  int queuedCount() {
    return state.dispatch().queuedRuns();
  }

  /** The job as this term plans it; null when it is not in the plan. */
  JobEntry planned(String jobId) {
    return state.jobs().get(jobId);
  }

  /** Loads the plan and recovers the runs left by the previous leader. */
  void rebuild() {
    long began = System.nanoTime();
    // Bulk reads (pipelined on ZooKeeper), not one round trip per job: a new leader's takeover
    // time is dominated by reading, and large clusters hold 100,000 jobs. The definitions usually
    // come from this node's own definition watch (DefinitionSource).
    Map<String, Versioned<ScheduleState>> states = state.store().allScheduleStates();
    // The runs in flight are the ones the schedule states list (no second read of the states),
    // read before anything is written: loading may rewrite or delete a record that lists them.
    ListedRuns listed = state.store().listedRuns(states.values());
    // May wait seconds for the node's definition watch to load: the plan's now is taken after it.
    List<Versioned<JobDefinition>> all = definitions.all();
    long read = System.nanoTime();
    Instant now = state.clock().instant();
    state.lists().knownEnded(listed.ended(), now);
    definitionSync.load(all, states, now);
    java.util.Set<String> deleted = driver.adopt(listed.active(), state.store().assignments());
    state.flush();
    definitionSync.collectLeftovers(states, deleted);
    log.info(
        "term {}: plan rebuilt with {} jobs and {} active runs in {} ms ({} ms reading jobs,"
            + " schedule states and the runs they list); {} first schedule states left to write"
            + " in order of first fire",
        state.term().epoch(),
        state.jobs().size(),
        activeCount(),
        millis(System.nanoTime() - began),
        millis(read - began),
        definitionSync.firstStatesPending());
  }

  /**
   * One tick. {@code chores}: also control requests, history pruning and run-list tidying, which
   * the timed ticks do; a tick woken by a worker's report skips them (see {@link
   * TickLoop#settleSoon}).
   *
   * @return whether fires due now were left for the next tick (see {@link RunCreation#fireDue})
   */
  boolean tick(List<DefinitionChange> changes, boolean chores) {
    long[] phase = new long[7];
    phase[0] = System.nanoTime();
    definitionSync.apply(changes);
    definitionSync.writeFirstStates();
    phase[1] = System.nanoTime();
    attempts.recordOutcomes();
    // The slots those outcomes free go to the oldest queued runs in the same multis.
    driver.startQueued();
    state.flush();
    attempts.removeGoneWorkersFolders();
    phase[2] = System.nanoTime();
    if (chores) {
      requests.consume();
    }
    phase[3] = System.nanoTime();
    boolean saturated = creation.fireDue();
    state.flush();
    phase[4] = System.nanoTime();
    if (chores) {
      driver.driveAll();
      state.flush();
    }
    phase[5] = System.nanoTime();
    if (chores) {
      pruning.prune();
      tidying.tidy();
    }
    phase[6] = System.nanoTime();
    if (phase[6] - phase[0] > SLOW_TICK_NANOS) {
      log.warn(
          "term {}: a tick took {} ms (definitions and first states {} ms for {} changes, outcomes and queued starts {}"
              + " ms, requests {} ms, firing {} ms, driving every run {} ms, pruning and tidying {}"
              + " ms); fires due meanwhile wait",
          state.term().epoch(),
          millis(phase[6] - phase[0]),
          millis(phase[1] - phase[0]),
          changes.size(),
          millis(phase[2] - phase[1]),
          millis(phase[3] - phase[2]),
          millis(phase[4] - phase[3]),
          millis(phase[5] - phase[4]),
          millis(phase[6] - phase[5]));
    }
    return saturated;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
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
