package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.testing.ServerRequests;
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

  /** Counts the view's wake-ups. */
  private AtomicInteger counting() {
    AtomicInteger wakes = new AtomicInteger();
    workers.onChange(wakes::incrementAndGet);
    return wakes;
  }

  /** Creates an empty assignment of worker w1~1 at {@code path}, once the view has seen it. */
  private void assign(String path) throws Exception {
    client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.running().equals(Map.of("w1~1", 1)));
  }

  /**
   * Under load the leader creates and deletes assignments hundreds of times a second; each echo of
   * its own write used to wake it for a tick with nothing new to settle. Only a report does.
   */
  @Test
  void onlyAReportWakesTheLeaderNotTheAssignmentsItWritesItself() throws Exception {
    AtomicInteger wakes = counting();
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);
    String path = layout.assignment(a.worker(), a.key());

    assign(path);
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
   * A report this node's own worker wrote is told at once, before the watch has seen it (here it
   * never does: nothing was written), wakes the leader, and is forgotten with its assignment.
   */
  @Test
  void aReportWrittenHereIsToldAtOnceAndForgottenWithItsAssignment() throws Exception {
    AtomicInteger wakes = counting();
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);
    String path = layout.assignment(a.worker(), a.key());
    assign(path);
    AttemptReport report = AttemptReport.failure("boom", Clock.systemUTC().instant(), false);

    workers.reportedHere(a, report);

    assertThat(workers.reported(a)).contains(report);
    assertThat(wakes.get()).isEqualTo(1);
    client.delete().forPath(path);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.reported(a).isEmpty());
  }

  /**
   * A report a load reads together with its assignment (written while this view was not watching:
   * before it started, or while it was disconnected) shows as a creation, and must still wake the
   * leader.
   */
  @Test
  void aReportSeenOnlyAsACreationStillWakesTheLeader() throws Exception {
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);
    client
        .create()
        .creatingParentsIfNeeded()
        .forPath(
            layout.assignment(a.worker(), a.key()),
            ReportCodec.encode(AttemptReport.success(Clock.systemUTC().instant())));
    try (ZkWorkers later = new ZkWorkers(client, layout, Clock.systemUTC())) {
      AtomicInteger wakes = new AtomicInteger();
      later.onChange(wakes::incrementAndGet);
      later.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> later.reported(a).isPresent());
      await().atMost(Duration.ofSeconds(10)).until(() -> wakes.get() == 1);
      assertThat(later.running()).isEmpty();
    }
  }

  /**
   * The leader writes an assignment empty, so the view learns of it from the watch event alone:
   * nothing is read until the worker's report.
   */
  @Test
  void anAssignmentIsKnownWithoutReadingItAndItsReportIsReadOnce() throws Exception {
    client.create().creatingParentsIfNeeded().forPath(layout.assignments("w1~1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.running().isEmpty());
    Assignment a = new Assignment("w1~1", "job", "run-1", "t", 1);
    String path = layout.assignment(a.worker(), a.key());
    long before = ServerRequests.received(server);

    client.create().forPath(path, new byte[0]);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.running().equals(Map.of("w1~1", 1)));
    client
        .setData()
        .forPath(path, ReportCodec.encode(AttemptReport.success(Clock.systemUTC().instant())));
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.reported(a).isPresent());

    // The create, the report's write, and one read of the report (Curator's cache made three
    // reads: the new node's data and children, then the report).
    assertThat(ServerRequests.received(server) - before).isBetween(3L, 4L);
  }
}
