package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper connection as metrics: a connected gauge and counters of suspensions and lost
 * sessions, and one log line per state change an operator can act on.
 */
public final class ConnectionMetrics {

  private static final Logger log = LoggerFactory.getLogger(ConnectionMetrics.class);

  private ConnectionMetrics() {}

  public static void register(CuratorFramework client, MetricRegistry registry) {
    Counter suspended = registry.counter(MetricNames.ZK_SUSPENDED);
    Counter lost = registry.counter(MetricNames.ZK_LOST);
    Gauges.replace(
        registry,
        MetricNames.ZK_CONNECTED,
        () -> client.getZookeeperClient().isConnected() ? 1 : 0);
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              if (state == ConnectionState.SUSPENDED) {
                suspended.inc();
                log.warn("ZooKeeper connection SUSPENDED: no new work starts until it is back");
              } else if (state == ConnectionState.LOST) {
                lost.inc();
                log.error("ZooKeeper session LOST: leadership (if any) is gone; reconnecting");
              } else if (state == ConnectionState.RECONNECTED) {
                log.info("ZooKeeper connection RECONNECTED");
              }
            });
  }
}
