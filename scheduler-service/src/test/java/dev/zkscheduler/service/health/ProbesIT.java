package dev.zkscheduler.service.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness stays up through a ZooKeeper outage (a restart would not bring ZooKeeper back, and would
 * restart every node at once), while readiness goes down with it and comes back after it.
 */
class ProbesIT {

  private TestingServer zooKeeper;
  private TestService node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.stop();
    }
    if (zooKeeper != null) {
      zooKeeper.close();
    }
  }

  @Test
  void livenessIgnoresAZooKeeperOutageThatReadinessReports() throws Exception {
    zooKeeper = new TestingServer(true);
    node = TestService.external("probes-it", zooKeeper.getConnectString()).start();
    ApiClient admin = node.admin();
    await().atMost(Duration.ofSeconds(20)).until(() -> status(admin, Probes.READY) == 200);
    assertThat(status(admin, Probes.LIVE)).isEqualTo(200);
    assertThat(admin.get(Probes.READY).json().get(Probes.MEMBERSHIP).get("healthy").asBoolean())
        .isTrue();

    zooKeeper.stop();

    await().atMost(Duration.ofSeconds(20)).until(() -> status(admin, Probes.READY) == 503);
    assertThat(admin.get(Probes.READY).json().get("zookeeper").get("healthy").asBoolean())
        .isFalse();
    // Longer than the session timeout (4 s in test-service.yml): the session is gone by then.
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(10))
        .until(() -> status(admin, Probes.LIVE) == 200);
    assertThat(admin.get("/healthcheck").status())
        .as("the full health check still reports the outage")
        .isEqualTo(500);

    zooKeeper.restart();

    await().atMost(Duration.ofSeconds(30)).until(() -> status(admin, Probes.READY) == 200);
    assertThat(status(admin, Probes.LIVE)).isEqualTo(200);
  }

  private static int status(ApiClient admin, String path) {
    return admin.get(path).status();
  }
}
