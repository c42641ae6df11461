package dev.zkscheduler.service;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zkscheduler.engine.Scheduler;
import dev.zkscheduler.engine.SchedulerBuilder;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.errors.ApiExceptionMapper;
import dev.zkscheduler.service.errors.BodyLimitFilter;
import dev.zkscheduler.service.errors.DrainRequestBodyFilter;
import dev.zkscheduler.service.errors.JsonErrorHandler;
import dev.zkscheduler.service.resources.ClusterResource;
import dev.zkscheduler.service.resources.JobsResource;
import dev.zkscheduler.service.tasks.HttpTask;
import dev.zkscheduler.service.tasks.NoopTask;
import dev.zkscheduler.service.tasks.ShellTask;
import dev.zkscheduler.service.zookeeper.EmbeddedZooKeeper;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zk-scheduler service: the REST API of API.md over the embeddable scheduler, an admin port
 * with health checks and metrics, built-in task types, and an embedded ZooKeeper when no ensemble
 * is configured. {@link #run} only wires.
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
  }

  @Override
  public void run(SchedulerConfiguration config, Environment environment) throws Exception {
    environment.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    if (config.getServerFactory() instanceof DefaultServerFactory server) {
      // Our mapper answers every error with API.md's JSON body.
      server.setRegisterDefaultExceptionMappers(false);
    }
    String connectString = config.zookeeper.connectString;
    String dataDir = "(external ensemble)";
    if (config.zookeeper.isEmbedded()) {
      EmbeddedZooKeeper zk =
          new EmbeddedZooKeeper(
              Path.of(config.zookeeper.embedded.dataDir),
              config.zookeeper.embedded.port,
              config.zookeeper.embedded.tickTimeMs);
      environment.lifecycle().manage(zk);
      connectString = zk.connectString();
      dataDir = Path.of(config.zookeeper.embedded.dataDir).toAbsolutePath().normalize().toString();
    }
    int port = applicationPort(config);
    String instanceId =
        config.scheduler.instanceId == null || config.scheduler.instanceId.isBlank()
            ? defaultInstanceId(port)
            : config.scheduler.instanceId;
    SchedulerBuilder builder =
        Scheduler.builder()
            .connectString(connectString)
            .namespace(config.zookeeper.namespace)
            .sessionTimeout(Duration.ofMillis(config.zookeeper.sessionTimeout.toMilliseconds()))
            .connectionTimeout(
                Duration.ofMillis(config.zookeeper.connectionTimeout.toMilliseconds()))
            .memberId(instanceId)
            .address(hostName() + ":" + port)
            .version(
                getClass().getPackage().getImplementationVersion() != null
                    ? getClass().getPackage().getImplementationVersion()
                    : "dev")
            .metrics(environment.metrics())
            .healthChecks(environment.healthChecks())
            .settings(config.scheduler.settings())
            .leaderElection(config.zookeeper.leaderElection)
            .handler(NoopTask.TYPE, new NoopTask())
            .handler(
                HttpTask.TYPE,
                new HttpTask(Duration.ofMillis(config.tasks.http.defaultTimeout.toMilliseconds())))
            .handler(
                ShellTask.TYPE,
                new ShellTask(config.tasks.shell.enabled, config.tasks.shell.maxOutputBytes));
    if (config.zookeeper.digest != null) {
      builder.digestAuth(config.zookeeper.digest.username, config.zookeeper.digest.password);
    }
    scheduler = builder.build();
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void start() {
                scheduler.start();
              }

              @Override
              public void stop() {
                scheduler.close();
              }
            });

    environment.jersey().register(new ApiExceptionMapper());
    environment.jersey().register(new BodyLimitFilter(config.limits.maxBodyBytes));
    environment.jersey().register(new DrainRequestBodyFilter(config.limits.maxBodyBytes));
    environment
        .lifecycle()
        .addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
    environment
        .jersey()
        .register(
            new JobsResource(
                scheduler, environment.getObjectMapper(), new JobMapper(), Clock.systemUTC()));
    environment.jersey().register(new ClusterResource(scheduler));
    config.auth.build(environment);
    PrometheusRegistry prometheus = new PrometheusRegistry();
    DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(prometheus);
    environment
        .admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(prometheus))
        .addMapping("/metrics/prometheus");
    log.info(
        "zk-scheduler node {}: API on port {}, admin on port {}, ZooKeeper {} (data: {})",
        instanceId,
        port,
        adminPort(config),
        connectString,
        dataDir);
  }

  /** The scheduler this application runs (for tests). */
  public Scheduler scheduler() {
    return scheduler;
  }

  private static int applicationPort(SchedulerConfiguration config) {
    if (config.getServerFactory() instanceof DefaultServerFactory server
        && server.getApplicationConnectors().get(0) instanceof HttpConnectorFactory http) {
      return http.getPort();
    }
    return 0;
  }

  private static int adminPort(SchedulerConfiguration config) {
    if (config.getServerFactory() instanceof DefaultServerFactory server
        && server.getAdminConnectors().get(0) instanceof HttpConnectorFactory http) {
      return http.getPort();
    }
    return 0;
  }

  private static String defaultInstanceId(int port) {
    String host = hostName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    return (host.isEmpty() ? "node" : host) + "-" + port;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
