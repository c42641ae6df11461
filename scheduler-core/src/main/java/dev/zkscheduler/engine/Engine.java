package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.SchedulerStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduling machinery of one node: the tick loop that leads while this node holds a term, and
 * the task runner that executes attempts. It sees its backend only through interfaces ({@link
 * SchedulerStore}, {@link Leadership}, {@link DefinitionSource}, {@link Lease}), so the same engine
 * runs on ZooKeeper and in memory.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} stops ticking first and then drains or
 * cancels running attempts per {@link EngineSettings#onTermLoss()}, bounded by {@link
 * EngineSettings#shutdownTimeout()}.
 */
public final class Engine implements AutoCloseable {

  private final EngineSettings settings;
  private final TaskRunner runner;
  private final TickLoop loop;

  public Engine(
      Leadership leadership,
      SchedulerStore store,
      DefinitionSource definitions,
      Lease attemptLease,
      Clock clock,
      EngineSettings settings,
      Map<String, TaskHandler> handlers,
      MetricRegistry metrics) {
    this.settings = settings;
    Map<String, TaskHandler> types = Map.copyOf(handlers);
    EngineMetrics engineMetrics = new EngineMetrics(metrics);
    // An outcome wakes the loop so the next task of a DAG starts without waiting for a tick; the
    // runner does nothing before start(), so the loop exists by the time it first calls back.
    this.runner =
        new TaskRunner(settings.taskThreads(), clock, metrics, this::wakeUp, attemptLease);
    this.loop =
        new TickLoop(
            leadership,
            clock,
            settings,
            runner,
            metrics,
            term ->
                new TermWork(
                    term, store, clock, settings, types, runner, engineMetrics, definitions));
  }

  public void start() {
    loop.start();
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

  /** One tick now, on the caller's thread's behalf (tests drive the loop with this). */
  public void tickNow() {
    loop.tickNow();
  }

  @Override
  public void close() {
    loop.close();
    runner.close(
        settings.shutdownTimeout(), settings.onTermLoss() == EngineSettings.TermLossPolicy.CANCEL);
  }
}
