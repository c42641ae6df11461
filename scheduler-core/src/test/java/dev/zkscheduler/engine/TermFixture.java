package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import dev.zkscheduler.store.memory.LocalWorkers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * One leader term's state built directly, without a node or a tick loop, so that a phase can be
 * driven alone: the in-memory store behind a {@link RecordingStore}, a hand-moved clock, and this
 * process's worker ({@code node-1}) with three handler types. {@code block} stays in flight until
 * {@link #close()}, so whether an attempt was started is read from the runner at once: the
 * in-process worker starts an attempt as the commit that assigns it returns.
 */
final class TermFixture implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-12-01T14:00:00Z");

  final MutableClock clock = new MutableClock(T0);
  final InMemorySchedulerStore memory;
  final RecordingStore store;
  final LeaderTerm term;
  final MetricRegistry registry = new MetricRegistry();
  final EngineMetrics metrics = new EngineMetrics(registry);

  /** Every handler call: "job/run/task#attempt". */
  final List<String> ledger = new CopyOnWriteArrayList<>();

  final TaskRunner runner;
  final LocalWorkers workers;
  final Worker worker;
  final TermState state;
  final TaskAttempts attempts;

  /** The assignments whose report the worker handed to the leader, in order. */
  final List<dev.zkscheduler.cluster.Assignment> reportedHere = new CopyOnWriteArrayList<>();

  /** What the term and the fixture's worker hand each other (see {@link LocalHandOff}). */
  final LocalHandOff handed =
      new LocalHandOff(() -> WORKER, (a, r) -> reportedHere.add(a), 4 * WORKER_SLOTS);

  private final CountDownLatch release = new CountDownLatch(1);

  TermFixture() {
    this(EngineSettings.DEFAULT);
  }

  TermFixture(EngineSettings settings) {
    this(settings, StoreLimits.DEFAULT);
  }

  TermFixture(EngineSettings settings, StoreLimits limits) {
    this(settings, limits, seat -> seat);
  }

  /** With the worker's seat as {@code seat} makes it of the store's in-process one. */
  TermFixture(
      EngineSettings settings,
      StoreLimits limits,
      java.util.function.UnaryOperator<dev.zkscheduler.cluster.WorkerSeat> seat) {
    this(
        settings,
        limits,
        seat,
        com.google.common.util.concurrent.MoreExecutors.newDirectExecutorService());
  }

  /**
   * A fixture whose worker starts attempts on a thread of its own, as a node's does, rather than on
   * the thread that commits them.
   */
  static TermFixture startingOnItsOwnThread() {
    return startingOn(java.util.concurrent.Executors.newSingleThreadExecutor());
  }

  /** A fixture whose worker starts attempts on {@code starting} (closed with the fixture). */
  static TermFixture startingOn(java.util.concurrent.ExecutorService starting) {
    return new TermFixture(EngineSettings.DEFAULT, StoreLimits.DEFAULT, seat -> seat, starting);
  }

  private TermFixture(
      EngineSettings settings,
      StoreLimits limits,
      java.util.function.UnaryOperator<dev.zkscheduler.cluster.WorkerSeat> seat,
      java.util.concurrent.ExecutorService starting) {
    memory = new InMemorySchedulerStore(limits);
    store = new RecordingStore(memory);
    term = memory.newTerm("node-1", T0);
    runner = new TaskRunner(WORKER_SLOTS, clock, registry);
    workers = memory.localWorkers(WORKER);
    Map<String, TaskHandler> handlers =
        Map.of(
            "record", this::record,
            "block", this::block,
            "gives-up", ctx -> TaskResult.timedOut("its own limit ran out"));
    worker =
        new Worker(
            seat.apply(workers),
            store,
            handlers,
            runner,
            WORKER,
            clock,
            metrics,
            Lease.unlimited(),
            handed,
            starting);
    try {
      worker.open(WORKER_SLOTS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    state = new TermState(term, store, clock, settings, workers, metrics, handed);
    attempts = new TaskAttempts(state);
  }

  /** The fixture's one worker: the in-process worker is named by its member id. */
  static final String WORKER = "node-1";

  static final int WORKER_SLOTS = 32;

  private TaskResult record(TaskContext ctx) {
    ledger.add(ctx.jobId() + "/" + ctx.runId() + "/" + ctx.taskId() + "#" + ctx.attempt());
    return TaskResult.success();
  }

  private TaskResult block(TaskContext ctx) throws InterruptedException {
    ledger.add(ctx.jobId() + "/" + ctx.runId() + "/" + ctx.taskId() + "#" + ctx.attempt());
    release.await();
    return TaskResult.success();
  }

  /** Creates the jobs in the store and loads them as a new term does (schedule states written). */
  List<JobEntry> load(JobDefinition... jobs) {
    List<Versioned<JobDefinition>> created =
        java.util.Arrays.stream(jobs).map(store::createJob).toList();
    DefinitionSync sync = new DefinitionSync(state);
    sync.load(created, Map.of(), clock.instant());
    while (sync.firstStatesPending() > 0) {
      sync.writeFirstStates(); // as the ticks after a load do
    }
    return created.stream().map(j -> state.jobs().get(j.value().id())).toList();
  }

  /** A job with one {@code block} task, every minute from {@link #T0}. */
  static JobDefinition everyMinute(String id) {
    return JobDefinition.builder(id)
        .schedule(dev.zkscheduler.schedule.Schedule.interval(Duration.ofMinutes(1), T0))
        .task("t", "block")
        .build();
  }

  /** A job with one {@code block} task and no schedule. */
  static JobDefinition manualJob(String id) {
    return JobDefinition.builder(id).task("t", "block").build();
  }

  /**
   * A run of {@code entry} created with its ready tasks started, as run creation does: written
   * through the term's state (which assigns the attempts to the worker, who calls their handlers:
   * {@code block} ones stay in flight), and held as active.
   */
  Versioned<Run> startedRun(JobEntry entry, String runId) {
    Instant now = clock.instant();
    Run run = entry.progress.newRun(runId, entry.job.id(), now, RunTrigger.MANUAL, now, 1);
    List<String> ready = entry.progress.readyTasks(run);
    Run started = attempts.markStarted(entry, run, ready, now);
    if (!state.commit(List.of(new StoreOp.CreateRun(started))).committed()) {
      throw new IllegalStateException("run " + runId + " not created");
    }
    Versioned<Run> versioned = new Versioned<>(started, 0);
    state.active().put(versioned);
    return versioned;
  }

  /**
   * A run in flight as a previous leader left it: created, and listed in its job's schedule state,
   * straight in the store (the term's view of the record is not told).
   */
  void leftInFlight(Run run) {
    java.util.Optional<Versioned<dev.zkscheduler.store.ScheduleState>> stored =
        memory.scheduleState(run.jobId());
    dev.zkscheduler.store.ScheduleState base =
        stored
            .map(Versioned::value)
            .orElse(new dev.zkscheduler.store.ScheduleState(run.jobId(), null, null, 0));
    List<String> listed = new java.util.ArrayList<>(base.activeRunIds());
    listed.add(run.id());
    if (!memory
        .commit(
            term,
            List.of(
                new StoreOp.CreateRun(run),
                new StoreOp.PutScheduleState(
                    base.withActiveRunIds(listed),
                    stored.map(Versioned::version).orElse(StoreOp.CREATE))))
        .committed()) {
      throw new IllegalStateException("run " + run.id() + " not left in flight");
    }
  }

  /**
   * Lists {@code count} more runs in flight in the job's schedule state (ids {@code prefix-N}, no
   * run records), straight in the store, and gives the term's entry the record written: as if the
   * job had that many runs waiting.
   */
  void listInFlight(JobEntry entry, String prefix, int count) {
    String jobId = entry.job.id();
    java.util.Optional<Versioned<dev.zkscheduler.store.ScheduleState>> stored =
        memory.scheduleState(jobId);
    dev.zkscheduler.store.ScheduleState base =
        stored
            .map(Versioned::value)
            .orElse(new dev.zkscheduler.store.ScheduleState(jobId, null, null, 0));
    List<String> listed = new java.util.ArrayList<>(base.activeRunIds());
    for (int i = 0; i < count; i++) {
      listed.add(prefix + "-" + i);
    }
    if (!memory
        .commit(
            term,
            List.of(
                new StoreOp.PutScheduleState(
                    base.withActiveRunIds(listed),
                    stored.map(Versioned::version).orElse(StoreOp.CREATE))))
        .committed()) {
      throw new IllegalStateException("runs not listed");
    }
    entry.state = memory.scheduleState(jobId).orElseThrow();
  }

  Run stored(String jobId, String runId) {
    return memory.run(jobId, runId).orElseThrow().value();
  }

  static TaskRunner.AttemptKey key(String jobId, String runId, String taskId, int attempt) {
    return new TaskRunner.AttemptKey(jobId, runId, taskId, attempt);
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }

  @Override
  public void close() {
    release.countDown();
    worker.close(Duration.ofSeconds(5));
  }
}
