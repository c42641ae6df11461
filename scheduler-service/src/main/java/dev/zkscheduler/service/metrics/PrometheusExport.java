package dev.zkscheduler.service.metrics;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.TaskHandler;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /metrics/prometheus} on the admin port: the scheduler's metrics by {@link
 * PrometheusNames}, the JVM and process metrics of the Prometheus client (the names standard JVM
 * dashboards expect), {@code zkscheduler_build_info}, task durations, and the rest of Dropwizard's
 * registry (Jetty, logging) as the Dropwizard bridge names it.
 *
 * <p>Made before the application's registry is, because that registry counts into this export's
 * histograms ({@link #dropwizardRegistry()}).
 */
public final class PrometheusExport {

  /** Where the text format is served on the admin port. */
  public static final String PATH = "/metrics/prometheus";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final BucketingMetricRegistry dropwizard = new BucketingMetricRegistry(registry);
  private final Histogram taskDurations = PrometheusNames.taskDurations(registry);

  /** The Dropwizard registry to run the application with. */
  public MetricRegistry dropwizardRegistry() {
    return dropwizard;
  }

  /** The handlers, each timed into the task duration histogram under its task type. */
  public Map<String, TaskHandler> instrument(Map<String, TaskHandler> handlers) {
    Map<String, TaskHandler> instrumented = new LinkedHashMap<>();
    handlers.forEach(
        (type, handler) ->
            instrumented.put(type, new InstrumentedTaskHandler(type, handler, taskDurations)));
    return instrumented;
  }

  /**
   * Registers the collectors and serves them.
   *
   * @param lastSuccessJobs jobs to report {@link PrometheusNames#JOB_LAST_SUCCESS} for (opt-in)
   */
  public void expose(
      Environment environment,
      String version,
      String revision,
      Scheduler scheduler,
      List<String> lastSuccessJobs) {
    registry.register(new SchedulerMetricsCollector(environment.metrics()));
    // Dropwizard's own jvm.* gauges are left out: JvmMetrics reports the same by standard names.
    DropwizardExports.builder()
        .dropwizardRegistry(environment.metrics())
        .metricFilter(
            (name, metric) ->
                !name.startsWith(SchedulerMetricsCollector.PREFIX) && !name.startsWith("jvm."))
        .register(registry);
    JvmMetrics.builder().register(registry);
    Info.builder()
        .name(PrometheusNames.BUILD_INFO)
        .help("The running build; the value is always 1")
        .labelNames("version", "revision")
        .register(registry)
        .setLabelValues(version, revision);
    if (!lastSuccessJobs.isEmpty()) {
      registry.register(new JobLastSuccessCollector(scheduler, lastSuccessJobs));
    }
    environment
        .admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(registry))
        .addMapping(PATH);
  }
}
