package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck.Result;
import dev.zkscheduler.health.ClockSkewHealthCheck;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node measures its clock against the time ZooKeeper stamps on its epoch write. The test server
 * runs on this machine's clock, so a node's injected offset is the skew it must find.
 */
class ClockSkewIT {

  /** Covers the write's round trip and the clocks' read granularity on a loaded machine. */
  private static final long TOLERANCE_MS = 1_000;

  private TestingServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    server.close();
  }

  private record Solo(SoloLeadership leadership, MetricRegistry metrics) {}

  private Solo solo(String id, Clock clock) throws Exception {
    CuratorFramework client = ZkClients.started(server.getConnectString(), "skew-it");
    closeables.add(client);
    MetricRegistry metrics = new MetricRegistry();
    SoloLeadership leadership = new SoloLeadership(client, new ZkLayout(), id, clock, metrics);
    closeables.add(leadership);
    assertThat(metrics.getGauges()).doesNotContainKey(MetricNames.CLOCK_SKEW);
    leadership.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> leadership.clockSkew().isPresent());
    return new Solo(leadership, metrics);
  }

  private static long gauge(Solo solo) {
    Gauge<?> gauge = solo.metrics.getGauges().get(MetricNames.CLOCK_SKEW);
    assertThat(gauge).as("the clock skew gauge").isNotNull();
    return ((Number) gauge.getValue()).longValue();
  }

  private static Result health(Solo solo) {
    return new ClockSkewHealthCheck(solo.leadership::clockSkew, ClockSkew.DEFAULT_LIMIT).execute();
  }

  @Test
  void aNodeWhoseClockRunsAheadMeasuresTheOffsetAndIsUnhealthy() throws Exception {
    Duration offset = Duration.ofSeconds(5);
    Solo solo = solo("fast", Clock.offset(Clock.systemUTC(), offset));

    long skew = solo.leadership.clockSkew().orElseThrow().toMillis();
    assertThat(skew).isBetween(offset.toMillis() - TOLERANCE_MS, offset.toMillis() + TOLERANCE_MS);
    assertThat(gauge(solo)).isEqualTo(skew);
    Result result = health(solo);
    assertThat(result.isHealthy()).isFalse();
    assertThat(result.getMessage()).contains(skew + " ms ahead of");
  }

  @Test
  void aNodeWhoseClockRunsBehindMeasuresANegativeSkew() throws Exception {
    Duration offset = Duration.ofSeconds(-5);
    Solo solo = solo("slow", Clock.offset(Clock.systemUTC(), offset));

    long skew = solo.leadership.clockSkew().orElseThrow().toMillis();
    assertThat(skew).isBetween(offset.toMillis() - TOLERANCE_MS, offset.toMillis() + TOLERANCE_MS);
    Result result = health(solo);
    assertThat(result.isHealthy()).isFalse();
    assertThat(result.getMessage()).contains(-skew + " ms behind");
  }

  @Test
  void aNodeOnTheSystemClockIsHealthy() throws Exception {
    Solo solo = solo("in-sync", Clock.systemUTC());

    long skew = solo.leadership.clockSkew().orElseThrow().toMillis();
    assertThat(Math.abs(skew)).isLessThan(TOLERANCE_MS);
    assertThat(gauge(solo)).isEqualTo(skew);
    Result result = health(solo);
    assertThat(result.isHealthy()).isTrue();
    assertThat(result.getMessage()).contains(Math.abs(skew) + " ms");
  }
}
