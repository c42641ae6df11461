package dev.zkscheduler.engine;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.metrics.MetricNames;
import java.time.Duration;

/** The engine's metrics, registered once per scheduler; names from {@link MetricNames}. */
final class EngineMetrics {

  private final MetricRegistry registry;
  private final Meter fires;
  private final Histogram fireLag;
  private final Counter duplicates;
  private final Counter skipped;
  private final Counter caughtUp;
  private final Counter retries;
  private final Counter requestsDropped;
  private final Counter runsOverCap;
  private final Counter runsFailedAlone;
  private final Counter jobsFailed;
  private final Counter attemptsLost;
  private final Counter saturatedTicks;

  EngineMetrics(MetricRegistry registry) {
    this.registry = registry;
    this.fires = registry.meter(MetricNames.FIRES);
    this.fireLag = registry.histogram(MetricNames.FIRE_LAG);
    this.duplicates = registry.counter(MetricNames.DUPLICATES_PREVENTED);
    this.skipped = registry.counter(MetricNames.MISFIRES_SKIPPED);
    this.caughtUp = registry.counter(MetricNames.MISFIRES_CAUGHT_UP);
    this.retries = registry.counter(MetricNames.RETRIES);
    this.requestsDropped = registry.counter(MetricNames.REQUESTS_DROPPED);
    this.runsOverCap = registry.counter(MetricNames.RUNS_OVER_INFLIGHT_CAP);
    this.runsFailedAlone = registry.counter(MetricNames.RUNS_FAILED_ALONE);
    this.jobsFailed = registry.counter(MetricNames.JOBS_FAILED_ALONE);
    this.attemptsLost = registry.counter(MetricNames.ATTEMPTS_LOST);
    this.saturatedTicks = registry.counter(MetricNames.TICKS_SATURATED);
    for (RunState state : RunState.values()) {
      if (state.isTerminal()) {
        registry.counter(MetricNames.runsEnded(state));
      }
    }
  }

  MetricRegistry registry() {
    return registry;
  }

  void fired(Run run) {
    fires.mark();
  }

  void fireLag(Duration lag) {
    fireLag.update(Math.max(0, lag.toMillis()));
  }

  void duplicatePrevented() {
    duplicates.inc();
  }

  void misfires(long skippedCount, long caughtUpCount) {
    skipped.inc(skippedCount);
    caughtUp.inc(caughtUpCount);
  }

  void tickSaturated() {
    saturatedTicks.inc();
  }

  void retried() {
    retries.inc();
  }

  void requestDropped() {
    requestsDropped.inc();
  }

  void runsOverInFlightCap(int count) {
    runsOverCap.inc(count);
  }

  void runFailedAlone() {
    runsFailedAlone.inc();
  }

  void attemptLost() {
    attemptsLost.inc();
  }

  void jobFailed() {
    jobsFailed.inc();
  }

  void runEnded(RunState state) {
    registry.counter(MetricNames.runsEnded(state)).inc();
  }
}
