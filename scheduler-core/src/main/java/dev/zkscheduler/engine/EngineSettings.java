package dev.zkscheduler.engine;

import java.time.Duration;

/**
 * How the engine runs. Every default lives here.
 *
 * @param tickInterval how often the loop runs (default 50 ms): the bound on fire lag from the loop
 * @param taskThreads threads that run task handlers (default 8)
 * @param retainedRuns terminal runs kept per job; older ones are pruned by the leader (default 50)
 * @param misfireThreshold a due fire at most this old is on time and always fires (default 60 s),
 *     for jobs without their own ({@code JobDefinition.misfireThreshold})
 * @param maxFiresPerCommit due fires persisted in one fenced multi-op (default 100)
 * @param onTermLoss what running handlers do when this node stops leading
 * @param shutdownTimeout how long {@code close()} waits for running handlers (default 10 s)
 */
public record EngineSettings(
    Duration tickInterval,
    int taskThreads,
    int retainedRuns,
    Duration misfireThreshold,
    int maxFiresPerCommit,
    TermLossPolicy onTermLoss,
    Duration shutdownTimeout) {

  /**
   * What happens to running handlers when the term ends and another node may lead: a term of
   * another node came in between, or this node had no ZooKeeper contact for half the session
   * timeout. Until then they run on, and a term of this node that directly follows the ended one (a
   * connection blip that ended it while the session lived) takes them over and records them.
   */
  public enum TermLossPolicy {
    /** Interrupt them; the next leader re-offers the attempts per their retry policy. */
    CANCEL,
    /** Let them finish; their results are not recorded, the next leader re-offers the attempts. */
    FINISH
  }

  /**
   * The most runs one job may have in flight (not ended). Its schedule state lists them, about 30
   * bytes each, so the cap keeps that record far below the store's record budget. A scheduled fire
   * of a job at the cap is recorded SKIPPED with the reason; a manual trigger is refused ({@code
   * TooManyRequestsException}); a backfill's runs over the cap are not created (logged, counted in
   * {@code zkscheduler.engine.runs.overinflightcap}).
   */
  public static final int MAX_RUNS_IN_FLIGHT = 1_000;

  public static final EngineSettings DEFAULT =
      new EngineSettings(
          Duration.ofMillis(50),
          8,
          50,
          Duration.ofSeconds(60),
          100,
          TermLossPolicy.CANCEL,
          Duration.ofSeconds(10));

  public EngineSettings {
    if (tickInterval.compareTo(Duration.ofMillis(5)) < 0
        || tickInterval.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException(
          "tickInterval must be between PT0.005S and PT10S, was " + tickInterval);
    }
    if (taskThreads < 1 || taskThreads > 1024) {
      throw new IllegalArgumentException(
          "taskThreads must be between 1 and 1024, was " + taskThreads);
    }
    if (retainedRuns < 1 || retainedRuns > 10_000) {
      throw new IllegalArgumentException(
          "retainedRuns must be between 1 and 10000, was " + retainedRuns);
    }
    if (misfireThreshold.isNegative()) {
      throw new IllegalArgumentException("misfireThreshold must not be negative");
    }
    if (maxFiresPerCommit < 1 || maxFiresPerCommit > 1000) {
      throw new IllegalArgumentException("maxFiresPerCommit must be between 1 and 1000");
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must not be negative");
    }
  }

  /** Commits' worth of fires one tick writes at most: see {@link #maxFiresPerTick()}. */
  static final int COMMITS_OF_FIRES_PER_TICK = 20;

  /**
   * Fires one tick writes at most (2,000 by default): when more are due, the oldest go first and
   * the rest wait for the next tick, so that a saturated leader goes on recording outcomes and
   * starting queued tasks between its fires instead of spending seconds in one tick while
   * everything else waits (counted in {@code zkscheduler.engine.ticks.saturated}).
   */
  public int maxFiresPerTick() {
    return COMMITS_OF_FIRES_PER_TICK * maxFiresPerCommit;
  }

  public EngineSettings withTickInterval(Duration value) {
    return new EngineSettings(
        value,
        taskThreads,
        retainedRuns,
        misfireThreshold,
        maxFiresPerCommit,
        onTermLoss,
        shutdownTimeout);
  }

  public EngineSettings withMaxFiresPerCommit(int value) {
    return new EngineSettings(
        tickInterval,
        taskThreads,
        retainedRuns,
        misfireThreshold,
        value,
        onTermLoss,
        shutdownTimeout);
  }

  public EngineSettings withTaskThreads(int value) {
    return new EngineSettings(
        tickInterval,
        value,
        retainedRuns,
        misfireThreshold,
        maxFiresPerCommit,
        onTermLoss,
        shutdownTimeout);
  }

  public EngineSettings withRetainedRuns(int value) {
    return new EngineSettings(
        tickInterval,
        taskThreads,
        value,
        misfireThreshold,
        maxFiresPerCommit,
        onTermLoss,
        shutdownTimeout);
  }

  public EngineSettings withMisfireThreshold(Duration value) {
    return new EngineSettings(
        tickInterval,
        taskThreads,
        retainedRuns,
        value,
        maxFiresPerCommit,
        onTermLoss,
        shutdownTimeout);
  }

  public EngineSettings withOnTermLoss(TermLossPolicy value) {
    return new EngineSettings(
        tickInterval,
        taskThreads,
        retainedRuns,
        misfireThreshold,
        maxFiresPerCommit,
        value,
        shutdownTimeout);
  }

  public EngineSettings withShutdownTimeout(Duration value) {
    return new EngineSettings(
        tickInterval,
        taskThreads,
        retainedRuns,
        misfireThreshold,
        maxFiresPerCommit,
        onTermLoss,
        value);
  }
}
