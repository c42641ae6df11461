package dev.zkscheduler.service.health;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.metrics.MetricNames;
import io.dropwizard.core.setup.Environment;
import java.time.Duration;
import java.util.List;

/**
 * Liveness and readiness on the admin port, for process supervisors and load balancers that must
 * tell "restart me" from "send me no traffic". {@code /healthcheck} runs every check, ZooKeeper's
 * included, so as a liveness probe it would restart every node during a ZooKeeper outage, which
 * restarts cannot fix.
 *
 * <ul>
 *   <li>{@value #LIVE}: this node's own loop is alive ({@value #LOOP_ALIVE}: it ticked within the
 *       liveness limit) and no threads are deadlocked ({@code deadlocks}). Independent of
 *       ZooKeeper.
 *   <li>{@value #READY}: connected to ZooKeeper ({@code zookeeper}) and registered as a member
 *       ({@value #MEMBERSHIP}).
 * </ul>
 */
public final class Probes {

  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  public static final String MEMBERSHIP = "membership";
  public static final String LOOP_ALIVE = "scheduler-loop-alive";

  static final List<String> LIVENESS_CHECKS = List.of(LOOP_ALIVE, "deadlocks");
  static final List<String> READINESS_CHECKS = List.of("zookeeper", MEMBERSHIP);

  private Probes() {}

  /**
   * Registers the membership and loop-alive checks and both probes; call after the scheduler is
   * built.
   *
   * @param livenessLimit how long the loop may go without a tick before liveness fails
   */
  public static void register(
      Environment environment, Scheduler scheduler, Duration livenessLimit) {
    environment
        .healthChecks()
        .register(
            LOOP_ALIVE,
            new LoopAliveHealthCheck(
                () -> environment.metrics().getGauges().get(MetricNames.TICK_AGE), livenessLimit));
    environment
        .healthChecks()
        .register(
            MEMBERSHIP,
            new MembershipHealthCheck(
                () -> environment.healthChecks().runHealthCheck("zookeeper"), scheduler::cluster));
    environment
        .admin()
        .addServlet(
            "liveness",
            new ProbeServlet(
                environment.healthChecks(), environment.getObjectMapper(), LIVENESS_CHECKS))
        .addMapping(LIVE);
    environment
        .admin()
        .addServlet(
            "readiness",
            new ProbeServlet(
                environment.healthChecks(), environment.getObjectMapper(), READINESS_CHECKS))
        .addMapping(READY);
  }
}
