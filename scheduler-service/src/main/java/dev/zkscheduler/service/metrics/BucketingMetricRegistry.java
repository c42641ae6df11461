package dev.zkscheduler.service.metrics;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * The service's Dropwizard registry. The scheduler records fire lag, ticks and commits in
 * Dropwizard histograms and timers, whose decaying quantiles cannot be summed across nodes; for the
 * names {@link PrometheusNames} gives buckets, the histogram or timer handed out here also counts
 * every value into a Prometheus histogram in base units. Everything else is plain Dropwizard.
 *
 * <p>Only the lookups by name ({@link #histogram(String)}, {@link #timer(String)}) are
 * instrumented: that is how the scheduler gets its metrics, and a metric registered under one of
 * these names in another way is left as it is rather than refused.
 */
public final class BucketingMetricRegistry extends MetricRegistry {

  private final Map<String, io.prometheus.metrics.core.metrics.Histogram> buckets;

  /** Registers the bucketed histograms in {@code prometheus} at once (they read 0 until used). */
  public BucketingMetricRegistry(PrometheusRegistry prometheus) {
    this.buckets = PrometheusNames.bucketedHistograms(prometheus);
  }

  @Override
  public Histogram histogram(String name) {
    io.prometheus.metrics.core.metrics.Histogram target = buckets.get(name);
    if (target == null) {
      return super.histogram(name);
    }
    double scale = PrometheusNames.scaleOf(name);
    return histogram(
        name,
        () ->
            new Histogram(
                new ObservingReservoir(
                    new ExponentiallyDecayingReservoir(), value -> target.observe(value * scale))));
  }

  @Override
  public Timer timer(String name) {
    io.prometheus.metrics.core.metrics.Histogram target = buckets.get(name);
    if (target == null) {
      return super.timer(name);
    }
    // Timers record nanoseconds.
    return timer(
        name,
        () ->
            new Timer(
                new ObservingReservoir(
                    new ExponentiallyDecayingReservoir(), nanos -> target.observe(nanos / 1e9))));
  }
}
