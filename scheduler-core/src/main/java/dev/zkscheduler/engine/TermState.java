package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreOp;
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
 * What the phases of one leader term share: the jobs, the active runs, the fire plan and which
 * worker runs each attempt; and the only way they write to the store. Tick thread only (no locks).
 *
 * <p>Two ordering rules carry the scheduler's guarantees, and both are enforced here, in the one
 * write path every phase uses, rather than by each caller remembering them:
 *
 * <ol>
 *   <li><b>An attempt is given to its worker in the write that records its start.</b> {@link #send}
 *       adds to every multi the assignment writes its run changes need ({@link Dispatch#opsFor}): a
 *       worker starts only what an assignment tells it to, and an assignment exists only if the run
 *       change that marks its attempt RUNNING committed. A start whose write was refused, or a
 *       duplicate run that another leader already created, never reaches a worker: one run per
 *       fire, and no attempt runs twice. The change that ends an attempt takes its assignment back
 *       in the same way, which also stops a handler still running.
 *   <li><b>A run change staged earlier commits before any run is created.</b> A REPLACE fire stages
 *       the cancellation of the run it replaces; every write that creates a run first flushes the
 *       staged changes ({@link #send}), so the store never holds the replaced and the replacing run
 *       both running, and the new run's handler cannot start next to the old one's.
 * </ol>
 *
 * <p>A third rule keeps every run in flight findable by the next leader without an index of its
 * own: <b>at every committed state, every non-terminal run is listed in its job's schedule
 * state</b>. {@link #send} has {@link InFlightLists} list, in every multi, the runs it creates and
 * check the schedule states it deletes.
 *
 * <p>Every write is fenced by the term. A refused precondition means the leader's memory no longer
 * matches the store: {@link TermWork.StaleViewException} drops the term's work, and the next tick
 * rebuilds it from the store.
 */
final class TermState {

  private static final Logger log = LoggerFactory.getLogger(TermState.class);

  /** The most of each task's error a run keeps once it outgrew its record budget. */
  static final int SHORT_ERROR_CHARS = 200;

  private final LeaderTerm term;

  private final SchedulerStore store;
  private final Clock clock;
  private final EngineSettings settings;
  private final Workers workers;
  private final Dispatch dispatch;
  private final LocalHandOff handed;
  private final EngineMetrics metrics;
  private final FirePlanner planner;
  private final ActiveRuns active;
  private final Map<String, JobEntry> jobs = new HashMap<>();
  private final InFlightLists lists;

  /**
   * The plans of active runs whose DAG is not their job's current one (adopted, or created before
   * an edit), by run key: rebuilding a DAG for every run on every tick would cost more than the
   * tick.
   */
  private final Map<String, RunPlan> plans = new HashMap<>();

  TermState(
      LeaderTerm term,
      SchedulerStore store,
      Clock clock,
      EngineSettings settings,
      Workers workers,
      EngineMetrics metrics) {
    this(term, store, clock, settings, workers, metrics, LocalHandOff.NONE);
  }

  /** {@code handed}: where the runs assigned to this node's own worker are handed over. */
  TermState(
      LeaderTerm term,
      SchedulerStore store,
      Clock clock,
      EngineSettings settings,
      Workers workers,
      EngineMetrics metrics,
      LocalHandOff handed) {
    this.handed = handed;
    this.term = term;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.workers = workers;
    this.dispatch = new Dispatch(workers);
    this.metrics = metrics;
    this.planner = new FirePlanner(settings, metrics);
    this.active = new ActiveRuns(settings.maxFiresPerCommit(), metrics);
    this.lists = new InFlightLists(jobs, active, planner);
  }

  LeaderTerm term() {
    return term;
  }

  /** For reads; every write goes through this class. */
  SchedulerStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  EngineSettings settings() {
    return settings;
  }

  Workers workers() {
    return workers;
  }

  /** Which worker runs each attempt. */
  Dispatch dispatch() {
    return dispatch;
  }

  EngineMetrics metrics() {
    return metrics;
  }

  FirePlanner planner() {
    return planner;
  }

  ActiveRuns active() {
    return active;
  }

  /** The leader's jobs by id. */
  Map<String, JobEntry> jobs() {
    return jobs;
  }

  /** The lists of runs in flight the schedule states hold, as this term knows them. */
  InFlightLists lists() {
    return lists;
  }

  // ---- what drives a run ----

  /**
   * The plan that drives {@code run}: the DAG it was created with. A run stored before runs kept
   * their DAG is driven by its job's current definition while that still has exactly the run's
   * tasks; otherwise nothing can drive it.
   *
   * @param entry the run's job, or null if the leader has none (deleted, or failed to load)
   * @throws UndrivableRunException if the run has no DAG of its own and its job's does not fit
   */
  RunPlan planOf(JobEntry entry, Run run) {
    if (run.dag() == null) {
      if (entry != null && entry.progress.fits(run)) {
        return entry.plan;
      }
      throw new UndrivableRunException(
          "the run was stored without its DAG, and job '"
              + run.jobId()
              + "' "
              + (entry == null
                  ? "is not loaded"
                  : "no longer has its tasks (run: "
                      + run.tasks().keySet()
                      + ", job: "
                      + entry.progress.dag().topologicalOrder()
                      + ")"));
    }
    if (entry != null && run.dag() == entry.plan.dag) {
      return entry.plan;
    }
    String key = ActiveRuns.key(run.jobId(), run.id());
    RunPlan cached = plans.get(key);
    if (cached != null && (cached.dag == run.dag() || cached.dag.equals(run.dag()))) {
      return cached;
    }
    if (plans.size() > 2 * active.count() + 64) {
      plans.clear(); // entries of runs that ended elsewhere than through stage()
    }
    RunPlan plan = RunPlan.of(run.dag());
    plans.put(key, plan);
    return plan;
  }

  /** A run that no plan can drive: it is ended FAILED rather than retried on every tick. */
  static final class UndrivableRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UndrivableRunException(String message) {
      super(message);
    }
  }

  // ---- isolation ----

  /**
   * Runs one run's share of a phase. If it throws for a reason of its own (not the store's, not the
   * term's), the run is ended FAILED and the phase goes on with the others: one run that cannot be
   * driven must not stall the leader for every job. Store and term failures still escape, since
   * they concern every run and the tick loop rebuilds from the store.
   *
   * @return whether the work completed
   */
  boolean forRun(String jobId, String runId, String doing, Runnable work) {
    try {
      work.run();
      return true;
    } catch (RuntimeException e) {
      if (concernsEveryone(e)) {
        throw e;
      }
      failRun(jobId, runId, doing, e);
      return false;
    }
  }

  /**
   * Runs one job's share of a phase. If it throws for a reason of its own, the job is taken out of
   * the fire plan until its definition changes or a new term loads it (its active runs go on), and
   * the phase goes on with the other jobs.
   *
   * @return whether the work completed
   */
  boolean forJob(String jobId, String doing, Runnable work) {
    return forJob(jobId, doing, true, work);
  }

  /** As {@link #forJob(String, String, Runnable)}; {@code unplan} false keeps the job firing. */
  boolean forJob(String jobId, String doing, boolean unplan, Runnable work) {
    try {
      work.run();
      return true;
    } catch (RuntimeException e) {
      if (concernsEveryone(e)) {
        throw e;
      }
      metrics.jobFailed();
      log.error(
          "job {}: {} failed{}: {}",
          jobId,
          doing,
          unplan ? ", the job is out of the fire plan until it is edited or a new term starts" : "",
          e.toString(),
          e);
      if (unplan) {
        planner.untrack(jobId);
      }
      return false;
    }
  }

  /** Failures that say the store or the term, not one run or job, is the problem. */
  private static boolean concernsEveryone(RuntimeException e) {
    return e instanceof FencingException
        || e instanceof TermWork.StaleViewException
        || e instanceof StoreUnavailableException;
  }

  /**
   * Ends the run FAILED (staged, written by the next flush), naming the problem in every task it
   * leaves open; its assignments are taken back with it, which stops its handlers: neither the run
   * nor its handlers may carry on in a state the leader could not compute. Built without the run's
   * DAG, which may be what failed.
   */
  private void failRun(String jobId, String runId, String doing, RuntimeException e) {
    metrics.runFailedAlone();
    log.error(
        "run {} of job {}: {} failed, the run is ended FAILED: {}",
        runId,
        jobId,
        doing,
        e.toString(),
        e);
    Versioned<Run> current = active.get(jobId, runId);
    if (current == null || current.value().state().isTerminal()) {
      return;
    }
    stage(
        current,
        failed(current.value(), clock.instant(), TaskRunner.bounded(doing + " failed: " + e)));
  }

  static Run failed(Run run, Instant now, String reason) {
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    run.tasks()
        .forEach(
            (id, t) ->
                tasks.put(
                    id,
                    t.state().isTerminal()
                        ? t
                        : new TaskRun(
                            t.state() == TaskState.RUNNING ? TaskState.FAILED : TaskState.CANCELLED,
                            t.attempts(),
                            t.startedAt(),
                            now,
                            null,
                            t.node(),
                            reason)));
    return run.with(RunState.FAILED, run.startedAt(), now, tasks);
  }

  // ---- writes ----

  /** Stages a run change; {@link #flush()} writes the staged changes in fenced multis. */
  void stage(Versioned<Run> before, Run after) {
    active.stage(before, after);
    dispatch.staged(after);
    if (after.state().isTerminal()) {
      plans.remove(ActiveRuns.key(after.jobId(), after.id()));
    }
  }

  /** Writes the staged run changes; a refused one drops the view (after the others are noted). */
  void flush() {
    List<Versioned<Run>> tooLarge = new ArrayList<>();
    active.flush(this::send, tooLarge::add);
    if (tooLarge.isEmpty()) {
      return;
    }
    for (Versioned<Run> run : tooLarge) {
      failTooLarge(run);
    }
    active.flush(
        this::send,
        run -> {
          // Even with its errors cut short the run does not fit (its DAG alone cannot exceed the
          // budget the validator keeps jobs under, so this is a bug): leave the stored version.
          log.error(
              "run {} of job {} is too large to store even when failed; its change is dropped",
              run.value().id(),
              run.value().jobId());
          active.remove(run.value().jobId(), run.value().id());
        });
  }

  /**
   * A run whose record outgrew the store's budget (long task errors on top of the DAG it carries):
   * it ends FAILED alone, every task's error cut short, so that it fits and the leader stops trying
   * to write the rest of it; the other runs' changes of the same flush are written.
   */
  private void failTooLarge(Versioned<Run> stored) {
    Run run = stored.value();
    metrics.runFailedAlone();
    log.error(
        "run {} of job {} outgrew the store's record budget; it is ended FAILED with its errors"
            + " cut short",
        run.id(),
        run.jobId());
    Instant now = clock.instant();
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    run.tasks()
        .forEach(
            (id, t) ->
                tasks.put(
                    id,
                    new TaskRun(
                        t.state().isTerminal()
                            ? t.state()
                            : t.state() == TaskState.RUNNING
                                ? TaskState.FAILED
                                : TaskState.CANCELLED,
                        t.attempts(),
                        t.startedAt(),
                        t.state().isTerminal() ? t.finishedAt() : now,
                        null,
                        t.node(),
                        shortened(t.error()))));
    Run failed =
        run.state().isTerminal()
            ? run.with(run.state(), run.startedAt(), run.finishedAt(), tasks)
            : run.with(RunState.FAILED, run.startedAt(), now, tasks);
    stage(stored, failed);
  }

  private static String shortened(String error) {
    if (error == null || error.length() <= SHORT_ERROR_CHARS) {
      return error;
    }
    return error.substring(0, SHORT_ERROR_CHARS) + "... (cut: the run outgrew its record budget)";
  }

  /** One fenced multi; the caller handles a refused precondition. */
  CommitResult commit(List<StoreOp> ops) {
    return send(List.of(ops)).get(0);
  }

  /** Independent fenced multis, sent together; one result each, in order. */
  List<CommitResult> commitEach(List<List<StoreOp>> multis) {
    return send(multis);
  }

  /** One fenced multi that must commit: a refusal drops the view. */
  void commitOrDrop(List<StoreOp> ops) {
    CommitResult result = commit(ops);
    if (!result.committed()) {
      throw new TermWork.StaleViewException("commit failed: " + result);
    }
  }

  /**
   * Cancels a run: stages its cancelled state, which takes its assignments back (their handlers are
   * interrupted). Written by the next {@link #flush()}, and at the latest before any run is created
   * (rule 2).
   */
  void cancel(JobEntry entry, Versioned<Run> versioned, String reason) {
    Run run = versioned.value();
    RunProgress.Cancellation c = entry.progress.cancel(run, clock.instant());
    log.info("run {} of job {} cancelled: {}", run.id(), run.jobId(), reason);
    stage(versioned, c.run());
  }

  /**
   * The one path of every write. Rule 2: multis that create runs are sent only once the staged run
   * changes (a REPLACE's cancellation) are committed. Rule 3: each multi's schedule-state writes
   * list the job's runs in flight, the runs it creates included (a write is added, after the
   * caller's ops, for a job whose runs it creates without one). Rule 1: each multi carries the
   * assignment writes of its run changes, appended after those (so a refused op's index still names
   * the caller's op); what a committed multi assigned is noted in {@link #dispatch}.
   */
  private List<CommitResult> send(List<List<StoreOp>> multis) {
    if (active.hasStaged() && multis.stream().anyMatch(TermState::createsRuns)) {
      flush();
    }
    Instant now = clock.instant();
    List<List<StoreOp>> sent = new ArrayList<>(multis.size());
    List<InFlightLists.Listed> listings = new ArrayList<>(multis.size());
    java.util.Set<String> listedJobs = new java.util.HashSet<>();
    for (List<StoreOp> ops : multis) {
      InFlightLists.Listed listed = lists.list(ops, now);
      for (String jobId : listed.jobs()) {
        // Two multis sent together cannot both write one record: the second would be refused.
        com.google.common.base.Preconditions.checkState(
            listedJobs.add(jobId), "job %s's schedule state is written twice in one send", jobId);
      }
      List<StoreOp> withAssignments = new ArrayList<>(listed.ops());
      for (StoreOp op : ops) {
        withAssignments.addAll(dispatch.opsFor(op, now));
      }
      sent.add(withAssignments);
      listings.add(listed);
    }
    // Noted before the commit and handed over once it is known committed.
    handed.sending(sent);
    List<CommitResult> results;
    try {
      results = store.commitEach(term, sent);
    } catch (RuntimeException e) {
      handed.settled(sent, null);
      throw e;
    }
    handed.settled(sent, results);
    List<CommitResult> mapped = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      CommitResult result = results.get(i);
      if (result.committed()) {
        dispatch.committed(sent.get(i));
        lists.committed(listings.get(i), sent.get(i), now);
        mapped.add(result);
      } else if (result.failedOp() >= multis.get(i).size()) {
        // A write this class added (a schedule state, an assignment) was refused: the leader's
        // picture of the store is stale.
        mapped.add(new CommitResult(CommitResult.Outcome.CONFLICT, 0));
      } else {
        mapped.add(result);
      }
    }
    return mapped;
  }

  private static boolean createsRuns(List<StoreOp> ops) {
    return ops.stream().anyMatch(StoreOp.CreateRun.class::isInstance);
  }
}
