package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leader's view of the workers and their reports, on a real ZooKeeper server. */
class ZkWorkersIT {

  private final ZkLayout layout = new ZkLayout();
  private TestingServer server;
  private CuratorFramework client;
  private ZkWorkers workers;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    client = ZkClients.started(server.getConnectString(), "workers-it");
    workers = new ZkWorkers(client, layout, Clock.systemUTC());
    workers.start();
  }

  @AfterEach
  void stop() throws Exception {
    workers.close();
    client.close();
    server.close();
  }

  /**
   * Under load the leader creates and deletes assignments hundreds of times a second; each echo of
   * its own write used to wake it for a tick with nothing new to settle. Only a report does.
   */
  @Test
  void onlyAReportWakesTheLeaderNotTheAssignmentsItWritesItself() throws Exception {
    AtomicInteger wakes = new AtomicInteger();
    workers.onChange(wakes::incrementAndGet);
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);
    String path = layout.assignment(a.worker(), a.key());

    client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.running().equals(Map.of("w1~1", 1)));
    int afterCreate = wakes.get();

    client
        .setData()
        .forPath(path, ReportCodec.encode(AttemptReport.success(Clock.systemUTC().instant())));
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.reported(a).isPresent());
    await().atMost(Duration.ofSeconds(10)).until(() -> wakes.get() > afterCreate);
    int afterReport = wakes.get();

    client.delete().forPath(path);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.reported(a).isEmpty());

    assertThat(afterCreate).as("wake-ups for the assignment's creation").isZero();
    assertThat(afterReport).as("wake-ups for its report").isEqualTo(1);
    assertThat(wakes.get()).as("wake-ups once it was deleted").isEqualTo(1);
  }

  /**
   * A report the cache reads together with its assignment (it fetched the node only after the
   * worker wrote it) shows as a creation, and must still wake the leader.
   */
  @Test
  void aReportSeenOnlyAsACreationStillWakesTheLeader() throws Exception {
    AtomicInteger wakes = new AtomicInteger();
    workers.onChange(wakes::incrementAndGet);
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);

    client
        .create()
        .creatingParentsIfNeeded()
        .forPath(
            layout.assignment(a.worker(), a.key()),
            ReportCodec.encode(AttemptReport.success(Clock.systemUTC().instant())));

    await().atMost(Duration.ofSeconds(10)).until(() -> workers.reported(a).isPresent());
    await().atMost(Duration.ofSeconds(10)).until(() -> wakes.get() == 1);
  }
}
