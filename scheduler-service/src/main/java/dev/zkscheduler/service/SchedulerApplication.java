package dev.zkscheduler.service;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.cli.ApplyCommand;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.config.ZooKeeperFactory;
import dev.zkscheduler.service.errors.ApiExceptionMapper;
import dev.zkscheduler.service.errors.JsonErrorHandler;
import dev.zkscheduler.service.resources.ClusterResource;
import dev.zkscheduler.service.resources.JobsResource;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zk-scheduler service: the REST API of docs/api.md over the embeddable scheduler, an admin
 * port with health checks and metrics, built-in task types, and an embedded ZooKeeper when no
 * ensemble is configured. {@link #run} only wires; the configuration factories build the parts.
 */
public class SchedulerApplication extends Application<SchedulerConfiguration> {

  private static final Logger log = LoggerFactory.getLogger(SchedulerApplication.class);

  private Scheduler scheduler;

  public static void main(String[] args) throws Exception {
    new SchedulerApplication().run(args);
  }

  @Override
  public String getName() {
    return "zk-scheduler";
  }

  @Override
  public void initialize(Bootstrap<SchedulerConfiguration> bootstrap) {
    // ${VAR} and ${VAR:-default} in config.yml come from the environment (tokens, connect strings).
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    bootstrap.addCommand(new ApplyCommand());
  }

  /** {@code apply} ends with its own exit status (docs/operations.md); anything else with 1. */
  @Override
  protected void onFatalError(Throwable t) {
    if (t instanceof ApplyCommand.ExitStatus exit) {
      System.exit(exit.status());
    }
    super.onFatalError(t);
  }

  @Override
  public void run(SchedulerConfiguration config, Environment environment) {
    environment.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    config.disableDefaultExceptionMappers();
    ZooKeeperFactory.Ensemble ensemble = config.zookeeper.build(environment);
    int port = config.applicationPort();
    Map<String, TaskHandler> handlers = config.tasks.build();
    scheduler =
        config.scheduler.build(environment, config.zookeeper.connect(ensemble), handlers, port);

    environment.jersey().register(new ApiExceptionMapper());
    config.limits.build(environment.jersey());
    environment
        .lifecycle()
        .addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
    environment
        .jersey()
        .register(
            new JobsResource(
                scheduler,
                environment.getObjectMapper(),
                new JobMapper(),
                new JobValidator(handlers),
                Clock.systemUTC()));
    environment.jersey().register(new ClusterResource(scheduler));
    config.auth.build(environment);
    exposePrometheusMetrics(environment);

    log.info(
        "zk-scheduler node {}: API on port {}, admin on port {}, ZooKeeper {} (data: {})",
        config.scheduler.instanceId(port),
        port,
        config.adminPort(),
        ensemble.connectString(),
        ensemble.dataDir());
  }

  /** The scheduler this application runs (for tests). */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Dropwizard's metrics, also in Prometheus' text format for scrapers that speak only that. */
  private static void exposePrometheusMetrics(Environment environment) {
    PrometheusRegistry prometheus = new PrometheusRegistry();
    DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(prometheus);
    environment
        .admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(prometheus))
        .addMapping("/metrics/prometheus");
  }
}
