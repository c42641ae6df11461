package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.SchedulerStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduling machinery of one node: the tick loop that leads while this node holds a term (a
 * {@code scheduler}), and the worker that runs the attempts the leader assigns to this node (a
 * {@code worker}). It sees its backend only through interfaces ({@link SchedulerStore}, {@link
 * Leadership}, {@link Workers}, {@link WorkerSeat}, {@link DefinitionSource}, {@link Lease}), so
 * the same engine runs on ZooKeeper and in memory.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} first drains the worker (no new attempts;
 * running handlers get {@link EngineSettings#shutdownTimeout()} to finish and report, while the
 * loop, if it leads, goes on recording), then stops the loop.
 */
public final class Engine implements AutoCloseable {

  private final EngineSettings settings;
  private final NodeRoles roles;
  private final Worker worker;
  private final TickLoop loop;

  public Engine(
      Leadership leadership,
      SchedulerStore store,
      DefinitionSource definitions,
      Workers workers,
      WorkerSeat seat,
      Lease attemptLease,
      Clock clock,
      EngineSettings settings,
      Map<String, TaskHandler> handlers,
      MetricRegistry metrics,
      String memberId,
      NodeRoles roles) {
    this.settings = settings;
    this.roles = roles;
    EngineMetrics engineMetrics = new EngineMetrics(metrics);
    // The leader and the worker of this node hand each other runs and reports directly.
    LocalHandOff handed =
        roles.worker()
            ? new LocalHandOff(
                seat::name,
                roles.scheduler() ? workers::reportedHere : (a, r) -> {},
                4 * settings.taskThreads())
            : LocalHandOff.NONE;
    this.worker =
        new Worker(
            seat,
            store,
            handlers,
            new TaskRunner(settings.taskThreads(), clock, metrics),
            memberId,
            clock,
            engineMetrics,
            attemptLease,
            handed);
    this.loop =
        new TickLoop(
            leadership,
            clock,
            settings,
            metrics,
            term ->
                new TermWork(
                    term, store, clock, settings, workers, engineMetrics, definitions, handed));
    Gauges.replace(metrics, MetricNames.WORKERS_LIVE, () -> workers.live().size());
    // A report, a worker joining or leaving: the leader settles and assigns without waiting for a
    // tick. The loop does nothing before start().
    workers.onChange(loop::settleSoon);
  }

  public void start() throws Exception {
    if (roles.worker()) {
      worker.open(settings.taskThreads());
    }
    if (roles.scheduler()) {
      loop.start();
    }
  }

  public NodeRoles roles() {
    return roles;
  }

  /** A definition was created, replaced or (with {@code job} null) deleted. */
  public void definitionChanged(String jobId, Versioned<JobDefinition> job) {
    loop.definitionChanged(new TermWork.DefinitionChange(jobId, job));
  }

  /** Asks for a tick soon (a request was submitted). */
  public void wakeUp() {
    loop.wakeUp();
  }

  /** When the loop last ticked, leading or not; empty before the first tick. */
  public Optional<Instant> lastTick() {
    return loop.lastTick();
  }

  /** Attempts this node's worker runs now. */
  public int runningAttempts() {
    return worker.running();
  }

  /** One tick now, on the caller's thread's behalf (tests drive the loop with this). */
  public void tickNow() {
    loop.tickNow();
  }

  @Override
  public void close() {
    if (roles.worker()) {
      worker.close(settings.shutdownTimeout());
    }
    loop.close();
  }
}
