package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** The worker's lease, renewed by its heartbeat's round trips, on a real ZooKeeper server. */
class WorkerLeaseIT {

  /**
   * After a disconnect longer than half the session timeout the lease has lapsed, and an attempt
   * started before it is renewed fails at once, using up one of its attempts (three such failures
   * in a row end a run without a single call). A reconnect of the same session renews it at once,
   * by a heartbeat round trip, not one heartbeat interval later.
   */
  @Test
  void aReconnectedSessionRenewsTheLeaseAtOnce() throws Exception {
    ZkLayout layout = new ZkLayout();
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "lease")) {
      client.create().creatingParentsIfNeeded().forPath(layout.workers());
      client.create().creatingParentsIfNeeded().forPath(layout.assignRoot());
      List<Long> contacts = new CopyOnWriteArrayList<>();
      AtomicBoolean reconnected = new AtomicBoolean();
      client
          .getConnectionStateListenable()
          .addListener(
              (c, state) -> {
                if (state == ConnectionState.RECONNECTED) {
                  reconnected.set(true);
                }
              });
      // A heartbeat interval far longer than the test: only the reconnect can renew.
      ZkWorkerSeat seat =
          new ZkWorkerSeat(client, layout, "m1", contacts::add, Duration.ofMinutes(10));
      try {
        seat.open(4, Set.of("t"), new IgnoringListener());
        await().atMost(Duration.ofSeconds(10)).until(() -> contacts.size() >= 2);
        int before = contacts.size();
        String worker = seat.name();

        server.restart();
        await().atMost(Duration.ofSeconds(30)).untilTrue(reconnected);

        await().atMost(Duration.ofSeconds(10)).until(() -> contacts.size() > before);
        assertThat(seat.name()).as("the same session, the same worker").isEqualTo(worker);
      } finally {
        seat.close();
      }
    }
  }

  /**
   * Curator can tell a LOST after the heartbeat has already registered the worker again with the
   * next session (the state queue and the heartbeat race). Acting on it would stop every attempt of
   * a live session and leave the worker unregistered until the next beat.
   */
  @Test
  void aLostToldWhileTheRegisteredSessionIsConnectedStopsNothing() throws Exception {
    ZkLayout layout = new ZkLayout();
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "lease")) {
      client.create().creatingParentsIfNeeded().forPath(layout.workers());
      client.create().creatingParentsIfNeeded().forPath(layout.assignRoot());
      java.util.concurrent.atomic.AtomicInteger lost =
          new java.util.concurrent.atomic.AtomicInteger();
      ZkWorkerSeat seat = new ZkWorkerSeat(client, layout, "m1", at -> {}, Duration.ofMinutes(10));
      try {
        seat.open(
            4,
            Set.of("t"),
            new dev.zkscheduler.cluster.WorkerSeat.Listener() {
              @Override
              public void assigned(dev.zkscheduler.cluster.AssignedAttempt attempt) {}

              @Override
              public void revoked(dev.zkscheduler.cluster.Assignment assignment) {}

              @Override
              public void sessionLost() {
                lost.incrementAndGet();
              }
            });
        String worker = seat.name();

        seat.onConnectionState(client, ConnectionState.LOST);

        assertThat(seat.name()).isEqualTo(worker);
        assertThat(lost).hasValue(0);
        assertThat(client.checkExists().forPath(layout.worker(worker))).isNotNull();
      } finally {
        seat.close();
      }
    }
  }
}
