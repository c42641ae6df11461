package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reports written together, on a real ZooKeeper server: all or nothing, behind one check. */
class GroupedReportsIT {

  private final ZkLayout layout = new ZkLayout();
  private TestingServer server;
  private CuratorFramework client;
  private ZkWorkerSeat seat;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    client = ZkClients.started(server.getConnectString(), "reports-it");
    client.create().creatingParentsIfNeeded().forPath(layout.workers());
    client.create().creatingParentsIfNeeded().forPath(layout.assignRoot());
    seat = new ZkWorkerSeat(client, layout, "m1", at -> {}, Duration.ofSeconds(1));
    seat.open(8, Set.of("t"), new IgnoringListener());
  }

  @AfterEach
  void stop() throws Exception {
    seat.close();
    client.close();
    server.close();
  }

  /** Assignments written as the leader writes them: empty nodes in the worker's folder. */
  private List<Assignment> assign(int n) throws Exception {
    List<Assignment> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Assignment a = new Assignment(seat.name(), "job", "run-" + i, "t", 1);
      client.create().forPath(layout.assignment(a.worker(), a.key()), new byte[0]);
      all.add(a);
    }
    return all;
  }

  private static GroupedReports.Report success(Assignment a) {
    return new GroupedReports.Report(a, ReportCodec.encode(AttemptReport.success(Instant.now())));
  }

  private byte[] stored(Assignment a) throws Exception {
    return client.getData().forPath(layout.assignment(a.worker(), a.key()));
  }

  @Test
  void aGroupWithOneAssignmentTakenBackWritesNothing() throws Exception {
    List<Assignment> a = assign(3);
    client.delete().forPath(layout.assignment(a.get(1).worker(), a.get(1).key()));

    assertThatThrownBy(
            () -> seat.writes().together(seat.name(), a.stream().map(x -> success(x)).toList()))
        .isInstanceOf(KeeperException.NoNodeException.class);

    assertThat(stored(a.get(0))).isEmpty();
    assertThat(stored(a.get(2))).isEmpty();
  }

  @Test
  void aGroupIsWrittenWholeAndARepeatIsRefusedAsAlreadyReported() throws Exception {
    List<Assignment> a = assign(3);
    List<GroupedReports.Report> group = a.stream().map(x -> success(x)).toList();

    seat.writes().together(seat.name(), group);

    for (Assignment x : a) {
      assertThat(ReportCodec.decode(stored(x)).succeeded()).isTrue();
    }
    assertThatThrownBy(() -> seat.writes().together(seat.name(), group))
        .isInstanceOf(KeeperException.BadVersionException.class);
    assertThat(seat.writes().alone(group.get(0))).as("a resend alone is reported").isTrue();
  }

  @Test
  void aGroupOfAnotherSessionsWorkerIsRefusedByTheCheck() throws Exception {
    List<Assignment> a = assign(2);
    client.delete().forPath(layout.worker(seat.name()));

    assertThatThrownBy(
            () -> seat.writes().together(seat.name(), a.stream().map(x -> success(x)).toList()))
        .isInstanceOf(KeeperException.NoNodeException.class);
    assertThat(stored(a.get(0))).isEmpty();
  }

  @Test
  void manyConcurrentReportsEachGetTheirOwnAnswer() throws Exception {
    List<Assignment> a = assign(120);
    Assignment takenBack = a.get(57);
    client.delete().forPath(layout.assignment(takenBack.worker(), takenBack.key()));
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      List<Future<Boolean>> answers = new ArrayList<>();
      for (Assignment x : a) {
        answers.add(threads.submit(() -> seat.report(x, AttemptReport.success(Instant.now()))));
      }
      for (int i = 0; i < a.size(); i++) {
        assertThat(answers.get(i).get(30, TimeUnit.SECONDS))
            .as("report of %s", a.get(i))
            .isEqualTo(a.get(i) != takenBack);
      }
    } finally {
      threads.shutdownNow();
    }
    for (Assignment x : a) {
      if (x != takenBack) {
        assertThat(ReportCodec.decode(stored(x)).succeeded()).as("%s", x).isTrue();
      }
    }
  }
}
