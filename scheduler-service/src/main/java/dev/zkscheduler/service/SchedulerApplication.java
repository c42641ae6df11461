package dev.zkscheduler.service;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.audit.AuditLog;
import dev.zkscheduler.service.cli.ApplyCommand;
import dev.zkscheduler.service.cli.FencingFloorCommand;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.config.ZooKeeperFactory;
import dev.zkscheduler.service.console.Console;
import dev.zkscheduler.service.errors.ApiExceptionMapper;
import dev.zkscheduler.service.errors.JsonErrorHandler;
import dev.zkscheduler.service.metrics.PrometheusExport;
import dev.zkscheduler.service.resources.CallerResource;
import dev.zkscheduler.service.resources.ClusterResource;
import dev.zkscheduler.service.resources.JobsResource;
import dev.zkscheduler.service.resources.OpenApiResource;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zk-scheduler service: the REST API of docs/api.md over the embeddable scheduler, an admin
 * port with health checks and metrics, built-in task types, an embedded ZooKeeper when no ensemble
 * is configured, the API's OpenAPI document and the web console under {@code /console/}. {@link
 * #run} only wires; the configuration factories build the parts.
 */
public class SchedulerApplication extends Application<SchedulerConfiguration> {

  private static final Logger log = LoggerFactory.getLogger(SchedulerApplication.class);

  private final PrometheusExport prometheus = new PrometheusExport();
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
    Console.addAssets(bootstrap);
    // Fire lag, ticks and commits recorded in it are also counted into Prometheus histograms.
    bootstrap.setMetricRegistry(prometheus.dropwizardRegistry());
    bootstrap.addCommand(new ApplyCommand());
    bootstrap.addCommand(new FencingFloorCommand());
  }

  /**
   * {@code apply} and {@code fencing-floor} end with their own exit status (docs/operations.md);
   * anything else with 1.
   */
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
    BuildInfo build = BuildInfo.current();
    Map<String, TaskHandler> handlers = prometheus.instrument(config.tasks.build());
    scheduler =
        config.scheduler.build(
            environment, config.zookeeper.connect(ensemble), handlers, port, build.version());

    environment.jersey().register(new ApiExceptionMapper());
    // Every state-changing call, allowed or refused, is a line on its own logger.
    environment.jersey().register(new AuditLog(config.auth.enabled));
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
                Clock.systemUTC(),
                statusReads(environment)));
    environment.jersey().register(new ClusterResource(scheduler));
    environment.jersey().register(new CallerResource());
    environment.jersey().register(new OpenApiResource());
    Console.addHeaders(environment);
    config.auth.build(environment);
    config.probes.build(environment, scheduler);
    prometheus.expose(
        environment,
        build.version(),
        build.revision(),
        scheduler,
        config.prometheus.lastSuccessJobs);

    log.info(
        "zk-scheduler {} node {}: API on port {}, admin on port {}, ZooKeeper {} (data: {})",
        build,
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

  /**
   * Threads for the job list's status reads ({@code status=true}, the console's jobs page): a few,
   * since each only waits on ZooKeeper; stopped with the server.
   */
  private static ExecutorService statusReads(Environment environment) {
    return environment
        .lifecycle()
        .executorService("job-status-read-%d")
        .minThreads(8)
        .maxThreads(8)
        .build();
  }
}
