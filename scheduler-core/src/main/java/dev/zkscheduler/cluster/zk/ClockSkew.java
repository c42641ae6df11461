package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this node's clock is from ZooKeeper's, as last measured. Run and attempt deadlines and
 * fire times are computed on the leader's clock, so a leader whose clock is off fires and times out
 * early or late by as much, and nothing else would say so.
 *
 * <p>Measured at every term this node takes, on the epoch write, which ZooKeeper stamps with its
 * own time: this node has no periodic write (membership is written once, at start) to measure on
 * more often. So a node that never led has no measurement, and a leader's is as old as its term.
 * Thread-safe.
 */
public final class ClockSkew {

  /** Beyond this the WARN is logged; also the default limit of the clock-skew health check. */
  public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(ClockSkew.class);

  /**
   * One measurement.
   *
   * @param skewMillis positive when this node's clock is ahead of ZooKeeper's
   * @param uncertaintyMillis half the write's round trip: the server stamped it somewhere in there
   */
  record Sample(long skewMillis, long uncertaintyMillis) {

    /**
     * Compares the server's stamp with the midpoint of this node's readings around the write, which
     * cancels a symmetric round trip.
     */
    static Sample of(long beforeMillis, long afterMillis, long serverMillis) {
      // A local clock stepped back during the write must not give a negative uncertainty.
      long roundTrip = Math.max(0, afterMillis - beforeMillis);
      long midpoint = beforeMillis + roundTrip / 2;
      return new Sample(midpoint - serverMillis, (roundTrip + 1) / 2);
    }
  }

  private final String memberId;
  private final Duration limit;
  private final MetricRegistry registry;
  private final AtomicReference<Sample> latest = new AtomicReference<>();

  ClockSkew(String memberId, Duration limit, MetricRegistry registry) {
    this.memberId = memberId;
    this.limit = limit;
    this.registry = registry;
    // Absent until measured: a 0 would read as "in sync". A predecessor's gauge on the same
    // registry would keep reporting a closed component.
    synchronized (registry) {
      registry.remove(MetricNames.CLOCK_SKEW);
    }
  }

  void record(Sample sample) {
    latest.set(sample);
    Gauges.replace(registry, MetricNames.CLOCK_SKEW, () -> latest.get().skewMillis());
    if (Math.abs(sample.skewMillis()) > limit.toMillis()) {
      log.warn(
          "{}'s clock is {} ZooKeeper's, ±{} ms (limit {} ms): run and attempt deadlines and fire"
              + " times this node computes while it leads are off by as much. Fix its time sync"
              + " (NTP).",
          memberId,
          describe(sample.skewMillis()),
          sample.uncertaintyMillis(),
          limit.toMillis());
    }
  }

  Optional<Sample> latest() {
    return Optional.ofNullable(latest.get());
  }

  private static String describe(long skewMillis) {
    return skewMillis >= 0 ? skewMillis + " ms ahead of" : -skewMillis + " ms behind";
  }
}
