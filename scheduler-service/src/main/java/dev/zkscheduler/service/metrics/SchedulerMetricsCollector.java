package dev.zkscheduler.service.metrics;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the scheduler's Dropwizard metrics ({@code zkscheduler.*}) at each scrape and answers them
 * by the names of {@link PrometheusNames}. Histograms and timers are not read here: their buckets
 * are counted as they are recorded ({@link BucketingMetricRegistry}).
 *
 * <p>A {@code zkscheduler.*} counter, meter or gauge the table does not know (one added to the core
 * since) is still exported, under its dotted name with underscores, so that nothing disappears from
 * a scrape unnoticed; a test keeps the table complete. Thread-safe.
 */
public final class SchedulerMetricsCollector implements MultiCollector {

  /** Dropwizard names this collector answers for; everything else is left to other collectors. */
  public static final String PREFIX = "zkscheduler.";

  private static final Logger log = LoggerFactory.getLogger(SchedulerMetricsCollector.class);

  private final MetricRegistry registry;
  private final Set<String> warnedUnexported = ConcurrentHashMap.newKeySet();

  public SchedulerMetricsCollector(MetricRegistry registry) {
    this.registry = registry;
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, Family> families = new LinkedHashMap<>();
    registry
        .getMetrics()
        .forEach(
            (name, metric) -> {
              if (name.startsWith(PREFIX)) {
                add(families, name, metric);
              }
            });
    List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
    families.values().forEach(family -> snapshots.add(family.snapshot()));
    return new MetricSnapshots(snapshots);
  }

  private void add(Map<String, Family> families, String name, Metric metric) {
    PrometheusNames.Export export =
        PrometheusNames.of(name).orElseGet(() -> fallback(name, metric));
    if (export == null || export.kind() == PrometheusNames.Kind.HISTOGRAM) {
      return;
    }
    Double value = valueOf(metric);
    if (value == null) {
      return;
    }
    Labels labels =
        export.labelName() == null
            ? Labels.EMPTY
            : Labels.of(export.labelName(), export.labelValue());
    families
        .computeIfAbsent(export.name(), n -> new Family(export))
        .points
        .put(labels, value * export.scale());
  }

  /** Counters and meters count, gauges are read; anything else has no fallback. */
  private PrometheusNames.Export fallback(String name, Metric metric) {
    PrometheusNames.Kind kind;
    if (metric instanceof Counting && !(metric instanceof Sampling)) {
      kind = PrometheusNames.Kind.COUNTER;
    } else if (metric instanceof Gauge<?>) {
      kind = PrometheusNames.Kind.GAUGE;
    } else {
      if (warnedUnexported.add(name)) {
        log.warn("metric {} has no Prometheus name and is not exported", name);
      }
      return null;
    }
    String promName = PrometheusNaming.sanitizeMetricName(name.replace('.', '_'));
    if (kind == PrometheusNames.Kind.COUNTER && promName.endsWith("_total")) {
      promName = promName.substring(0, promName.length() - "_total".length());
    }
    return new PrometheusNames.Export(
        promName, kind, "Dropwizard metric " + name, 1, null, null, null);
  }

  private static Double valueOf(Metric metric) {
    if (metric instanceof Counting counting) {
      return (double) counting.getCount();
    }
    if (metric instanceof Gauge<?> gauge) {
      Object value;
      try {
        value = gauge.getValue();
      } catch (RuntimeException e) {
        return null; // a gauge whose owner is closing: leave it out of this scrape
      }
      if (value instanceof Number number) {
        return number.doubleValue();
      }
      if (value instanceof Boolean bool) {
        return bool ? 1.0 : 0.0;
      }
    }
    return null;
  }

  /** The data points of one Prometheus family, by their labels. */
  private static final class Family {
    final PrometheusNames.Export export;
    final Map<Labels, Double> points = new LinkedHashMap<>();

    Family(PrometheusNames.Export export) {
      this.export = export;
    }

    MetricSnapshot snapshot() {
      if (export.kind() == PrometheusNames.Kind.COUNTER) {
        CounterSnapshot.Builder builder =
            CounterSnapshot.builder().name(export.name()).help(export.help());
        points.forEach(
            (labels, value) ->
                builder.dataPoint(
                    CounterDataPointSnapshot.builder().labels(labels).value(value).build()));
        return builder.build();
      }
      GaugeSnapshot.Builder builder =
          GaugeSnapshot.builder().name(export.name()).help(export.help());
      points.forEach(
          (labels, value) ->
              builder.dataPoint(
                  GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
      return builder.build();
    }
  }
}
