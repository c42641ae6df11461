package dev.zkscheduler.backend.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.store.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** The backend starts once and closes idempotently, like every part it starts. */
class ZooKeeperBackendIT {

  private static ZooKeeperBackend backend(TestingServer server, String memberId) {
    return new ZooKeeperBackend(
        new ZooKeeperSettings(
            server.getConnectString(),
            null,
            "lifecycle",
            Duration.ofSeconds(3),
            Duration.ofSeconds(1),
            null,
            true,
            memberId,
            "127.0.0.1:8080",
            "test",
            Clock.systemUTC(),
            StoreLimits.DEFAULT),
        new MetricRegistry());
  }

  @Test
  void startsOnceClosesIdempotentlyAndNeverRestarts() throws Exception {
    try (TestingServer server = new TestingServer(true)) {
      ZooKeeperBackend backend = backend(server, "n1");
      try {
        backend.start((jobId, job) -> {});
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> backend.leadership().currentTerm().isPresent());

        assertThatThrownBy(() -> backend.start((jobId, job) -> {}))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("backend started twice");
        assertThat(backend.clusterStatus().members()).extracting(Member::id).containsExactly("n1");

        backend.close();
        backend.close();
        assertThat(backend.leadership().currentTerm()).isEmpty();
        assertThatThrownBy(() -> backend.start((jobId, job) -> {}))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("backend started after close");
      } finally {
        backend.close();
      }

      ZooKeeperBackend never = backend(server, "never");
      never.close();
      never.close();
      assertThatThrownBy(() -> never.start((jobId, job) -> {}))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /**
   * Decoding and applying the definitions the watch loads (100,000 of them on a large cluster) must
   * not hold up the leader election and the term's {@code sync()}: on ZooKeeper's one event thread
   * they delayed a takeover by seconds.
   */
  /**
   * A slow listener of the definition watch's initial load (100,000 definitions decoded and
   * applied) does not hold up a takeover.
   */
  @Test
  void aSlowDefinitionLoadDoesNotHoldUpATakeover() throws Exception {
    try (TestingServer server = new TestingServer(true)) {
      ZooKeeperBackend first = backend(server, "n0");
      java.util.concurrent.CountDownLatch slowLoad = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
      ZooKeeperBackend second = backend(server, "n1");
      try {
        first.start((jobId, job) -> {});
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> first.leadership().currentTerm().isPresent());
        first
            .store()
            .createJob(
                dev.zkscheduler.job.JobDefinition.builder("loaded-slowly")
                    .task("t", "shell")
                    .build());
        second.start(
            (jobId, job) -> {
              loading.countDown();
              try {
                slowLoad.await(30, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
        assertThat(loading.await(15, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        first.close();

        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> second.leadership().currentTerm().isPresent());
        assertThat(slowLoad.getCount()).as("the load is still held").isEqualTo(1);
      } finally {
        slowLoad.countDown();
        first.close();
        second.close();
      }
    }
  }

  @Test
  void registersTheClockSkewCheckWhichReportsTheMeasurementOnceItLeads() throws Exception {
    try (TestingServer server = new TestingServer(true)) {
      ZooKeeperBackend backend = backend(server, "n1");
      try {
        HealthCheck check = backend.healthChecks().get("clock-skew");
        assertThat(check).isNotNull();
        assertThat(check.execute().getMessage()).contains("not measured yet");

        backend.start((jobId, job) -> {});
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> backend.leadership().currentTerm().isPresent());
        HealthCheck.Result result = check.execute();
        assertThat(result.isHealthy()).isTrue();
        assertThat(result.getMessage()).contains("ZooKeeper's (limit");
      } finally {
        backend.close();
      }
    }
  }
}
