package dev.zkscheduler.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.metrics.MetricNames;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusNamesTest {

  /** A name added to the core without a Prometheus name here would only get a fallback name. */
  @Test
  void everyCoreMetricNameHasAPrometheusName() throws IllegalAccessException {
    for (String name : coreNames()) {
      if (name.equals(MetricNames.RUNS_ENDED)) {
        name = MetricNames.runsEnded(RunState.SUCCEEDED);
      }
      assertThat(PrometheusNames.of(name)).as(name).isPresent();
    }
  }

  @Test
  void namesAreValidAndUnitsAreBaseUnits() {
    PrometheusNames.exports()
        .forEach(
            (source, export) -> {
              assertThat(PrometheusNaming.isValidLegacyMetricName(export.name())).isTrue();
              assertThat(export.name()).startsWith("zkscheduler_").doesNotEndWith("_total");
              if (export.kind() == PrometheusNames.Kind.HISTOGRAM || export.scale() != 1) {
                assertThat(export.name()).as(source).endsWith("_seconds");
              }
            });
  }

  @Test
  void counterStatesBecomeLabelsOfOneFamily() {
    MetricRegistry registry = new MetricRegistry();
    registry.counter(MetricNames.runsEnded(RunState.SUCCEEDED)).inc(3);
    registry.counter(MetricNames.runsEnded(RunState.FAILED)).inc();
    registry.counter(MetricNames.MISFIRES_SKIPPED).inc(2);
    registry.counter(MetricNames.MISFIRES_CAUGHT_UP);

    MetricSnapshots snapshots = new SchedulerMetricsCollector(registry).collect();

    CounterSnapshot ended = (CounterSnapshot) find(snapshots, "zkscheduler_engine_runs_ended");
    assertThat(ended.getDataPoints())
        .extracting(p -> p.getLabels().get("state") + "=" + p.getValue())
        .containsExactlyInAnyOrder("SUCCEEDED=3.0", "FAILED=1.0");
    CounterSnapshot misfires = (CounterSnapshot) find(snapshots, "zkscheduler_engine_misfires");
    assertThat(misfires.getDataPoints())
        .extracting(p -> p.getLabels().get("outcome") + "=" + p.getValue())
        .containsExactlyInAnyOrder("skipped=2.0", "caught_up=0.0");
  }

  @Test
  void millisecondGaugesAreReportedInSeconds() {
    MetricRegistry registry = new MetricRegistry();
    registry.gauge(MetricNames.TICK_AGE, () -> () -> 1500L);
    registry.gauge(MetricNames.CLOCK_SKEW, () -> () -> -250L);

    MetricSnapshots snapshots = new SchedulerMetricsCollector(registry).collect();

    assertThat(gauge(snapshots, "zkscheduler_engine_tick_age_seconds")).isEqualTo(1.5);
    assertThat(gauge(snapshots, "zkscheduler_cluster_clock_skew_seconds")).isEqualTo(-0.25);
  }

  @Test
  void anUnknownCounterKeepsAFallbackNameAndTimersAreLeftToTheirHistograms() {
    MetricRegistry registry = new MetricRegistry();
    registry.counter("zkscheduler.engine.something.new").inc();
    registry.timer(MetricNames.TICK).update(5, TimeUnit.MILLISECONDS);
    registry.counter("jetty.requests").inc();

    MetricSnapshots snapshots = new SchedulerMetricsCollector(registry).collect();

    assertThat(snapshots.stream().map(s -> s.getMetadata().getName()))
        .containsExactly("zkscheduler_engine_something_new");
  }

  @Test
  void timersAndHistogramsOfTheRegistryCountIntoBuckets() {
    PrometheusRegistry prometheus = new PrometheusRegistry();
    BucketingMetricRegistry registry = new BucketingMetricRegistry(prometheus);

    Timer tick = registry.timer(MetricNames.TICK);
    tick.update(30, TimeUnit.MILLISECONDS);
    try (Timer.Context ignored = tick.time()) {
      // a second observation through the other recording path
    }
    registry.histogram(MetricNames.FIRE_LAG).update(2_000); // ms
    registry.histogram("something.else").update(1);

    HistogramSnapshot.HistogramDataPointSnapshot ticks =
        histogram(prometheus.scrape(), "zkscheduler_engine_tick_duration_seconds");
    assertThat(ticks.getCount()).isEqualTo(2);
    assertThat(tick.getCount()).as("the Dropwizard timer still counts too").isEqualTo(2);
    HistogramSnapshot.HistogramDataPointSnapshot lag =
        histogram(prometheus.scrape(), "zkscheduler_engine_fire_lag_seconds");
    assertThat(lag.getCount()).isEqualTo(1);
    assertThat(lag.getSum()).isEqualTo(2.0);
    assertThat(registry.histogram(MetricNames.FIRE_LAG))
        .as("the same histogram on a second lookup")
        .isSameAs(registry.histogram(MetricNames.FIRE_LAG));
  }

  private static List<String> coreNames() throws IllegalAccessException {
    List<String> names = new java.util.ArrayList<>();
    for (Field field : MetricNames.class.getDeclaredFields()) {
      int mods = field.getModifiers();
      if (Modifier.isPublic(mods) && Modifier.isStatic(mods) && field.getType() == String.class) {
        names.add((String) field.get(null));
      }
    }
    assertThat(names).isNotEmpty();
    return names;
  }

  private static MetricSnapshot find(MetricSnapshots snapshots, String name) {
    return snapshots.stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + names(snapshots)));
  }

  private static double gauge(MetricSnapshots snapshots, String name) {
    GaugeSnapshot gauge = (GaugeSnapshot) find(snapshots, name);
    assertThat(gauge.getDataPoints()).hasSize(1);
    assertThat(gauge.getDataPoints().get(0).getLabels().isEmpty()).isTrue();
    return gauge.getDataPoints().get(0).getValue();
  }

  private static HistogramSnapshot.HistogramDataPointSnapshot histogram(
      MetricSnapshots snapshots, String name) {
    HistogramSnapshot histogram = (HistogramSnapshot) find(snapshots, name);
    return histogram.getDataPoints().get(0);
  }

  private static String names(MetricSnapshots snapshots) {
    return Arrays.toString(snapshots.stream().map(s -> s.getMetadata().getName()).toArray());
  }
}
