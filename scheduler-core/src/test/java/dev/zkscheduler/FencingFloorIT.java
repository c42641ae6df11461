package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.FencingFloor;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/**
 * The fencing floor and the epoch raise on real ZooKeeper servers: a cluster's data copied into a
 * fresh server (a move: the new server's zxids are lower) hands out smaller tokens and epochs than
 * before, unless {@link FencingFloor#raise} ran while the cluster was stopped.
 */
class FencingFloorIT {

  private static final ZkLayout LAYOUT = new ZkLayout();

  /** Transactions on the old server before the recorded attempt: its zxids run far ahead. */
  private static final int OLD_SERVER_HISTORY = 5_000;

  /** Terms the old cluster took before the recorded one (epoch writes made by hand). */
  private static final int EARLIER_TERMS = 5;

  private record Attempt(long token, long epoch) {}

  @Test
  void afterAMoveTokensAndEpochsGoBackUnlessTheFloorIsRaised() throws Exception {
    try (TestingServer old = new TestingServer(true);
        TestingServer fresh = new TestingServer(true);
        CuratorFramework oldClient = ZkClients.started(old.getConnectString(), "move");
        CuratorFramework plain = ZkClients.started(fresh.getConnectString(), "move");
        CuratorFramework raised = ZkClients.started(fresh.getConnectString(), "moved-raised")) {
      pad(ZkClients.started(old.getConnectString(), "padding"), OLD_SERVER_HISTORY);
      oldClient.create().creatingParentsIfNeeded().forPath(LAYOUT.epoch(), new byte[0]);
      for (int i = 0; i < EARLIER_TERMS; i++) {
        oldClient.setData().forPath(LAYOUT.epoch(), new byte[0]);
      }
      MetricRegistry oldMetrics = new MetricRegistry();
      Attempt before = runOnce(old.getConnectString(), "move", oldMetrics);
      assertThat(before.epoch()).isEqualTo(EARLIER_TERMS + 1);
      // What an operator reads before the move: the worker's gauge and the command's bound.
      assertThat(gauge(oldMetrics)).isEqualTo(before.token());
      FencingFloor.Snapshot shown = FencingFloor.show(oldClient, LAYOUT);
      assertThat(shown.tokensAtMost()).isGreaterThanOrEqualTo(before.token());
      assertThat(shown.epoch()).isEqualTo(before.epoch());
      assertThat(shown.registered()).isEmpty();

      copy(oldClient, plain, "/");
      copy(oldClient, raised, "/");

      // Without the command: what a receiver that refuses lower tokens would refuse.
      Attempt unraised = runOnce(fresh.getConnectString(), "move", new MetricRegistry());
      assertThat(unraised.token()).isLessThan(before.token());
      assertThat(unraised.epoch()).isLessThanOrEqualTo(before.epoch());

      FencingFloor.Raised done =
          FencingFloor.raise(raised, LAYOUT, before.token(), (int) before.epoch());
      assertThat(done.after().floor()).isEqualTo(before.token());
      assertThat(done.after().epoch()).isGreaterThan(before.epoch());
      Attempt after = runOnce(fresh.getConnectString(), "moved-raised", new MetricRegistry());
      assertThat(after.token()).isGreaterThan(before.token());
      assertThat(after.epoch()).isGreaterThan(before.epoch());
    }
  }

  @Test
  void theFloorIsZeroWhenAbsentAndOnlyGrows() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        CuratorFramework client = ZkClients.started(zk.getConnectString(), "grows")) {
      assertThat(FencingFloor.read(client, LAYOUT)).isZero();
      assertThat(FencingFloor.raise(client, LAYOUT, 0, -1).after().floor()).isZero();
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor()))
          .as("0 writes nothing")
          .isNull();

      FencingFloor.raise(client, LAYOUT, 1_000, 3);
      assertThat(FencingFloor.read(client, LAYOUT)).isEqualTo(1_000);
      Stat floor = client.checkExists().forPath(LAYOUT.fencingFloor());
      Stat epoch = client.checkExists().forPath(LAYOUT.epoch());
      assertThat(epoch.getVersion()).isEqualTo(4);

      // Again, and with smaller numbers: idempotent, never lowered.
      FencingFloor.raise(client, LAYOUT, 1_000, 3);
      FencingFloor.Raised lower = FencingFloor.raise(client, LAYOUT, 10, 1);
      assertThat(lower.after()).isEqualTo(lower.before());
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor()).getMzxid())
          .isEqualTo(floor.getMzxid());
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getMzxid())
          .isEqualTo(epoch.getMzxid());

      // More epoch steps than are sent at once.
      FencingFloor.raise(client, LAYOUT, 1_000, 1_234);
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getVersion()).isEqualTo(1_235);

      client.setData().forPath(LAYOUT.fencingFloor(), "twelve".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> FencingFloor.read(client, LAYOUT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/fencing/floor holds 'twelve'");
    }
  }

  @Test
  void refusedWhileANodeIsRegisteredAndForBadNumbers() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        CuratorFramework client = ZkClients.started(zk.getConnectString(), "running")) {
      client.create().creatingParentsIfNeeded().forPath(LAYOUT.epoch(), new byte[0]);
      client
          .create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(LAYOUT.member("n1"), new byte[0]);

      assertThatThrownBy(() -> FencingFloor.raise(client, LAYOUT, 500, 7))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/members/n1")
          .hasMessageContaining("stop every node");
      assertThatThrownBy(() -> FencingFloor.raise(client, LAYOUT, -1, 7))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> FencingFloor.raise(client, LAYOUT, 5, FencingFloor.MAX_EPOCH + 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor())).isNull();
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getVersion()).isZero();

      client.delete().forPath(LAYOUT.member("n1"));
      client
          .create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(LAYOUT.worker("n1~1a"), new byte[0]);
      assertThatThrownBy(() -> FencingFloor.raise(client, LAYOUT, 500, 7))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/workers/n1~1a");
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor())).isNull();
    }
  }

  /**
   * Starts a one-node cluster, runs one attempt, stops the cluster: the attempt's token and epoch.
   */
  private static Attempt runOnce(String connectString, String namespace, MetricRegistry metrics)
      throws Exception {
    List<Long> tokens = new CopyOnWriteArrayList<>();
    Scheduler scheduler =
        Scheduler.builder()
            .connectString(connectString)
            .namespace(namespace)
            .memberId("n1")
            .metrics(metrics)
            .job(
                "report",
                Schedule.cron("0 2 * * *", ZoneOffset.UTC),
                ctx -> {
                  tokens.add(ctx.fencingToken());
                  return TaskResult.success();
                })
            .build();
    scheduler.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(scheduler::isLeader);
      String runId = scheduler.trigger("report");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  scheduler
                      .run("report", runId)
                      .map(r -> r.state() == RunState.SUCCEEDED)
                      .orElse(false));
      Run run = scheduler.run("report", runId).orElseThrow();
      assertThat(tokens).hasSize(1);
      return new Attempt(tokens.get(0), run.epoch());
    } finally {
      scheduler.close();
    }
  }

  private static long gauge(MetricRegistry metrics) {
    Gauge<?> gauge = metrics.getGauges().get(MetricNames.WORKER_FENCING_TOKEN_MAX);
    return ((Number) gauge.getValue()).longValue();
  }

  /** {@code count} transactions, pipelined; closes the client. */
  private static void pad(CuratorFramework client, int count) throws Exception {
    try (client) {
      client.create().forPath("/pad", new byte[0]);
      CountDownLatch answered = new CountDownLatch(count);
      for (int i = 0; i < count; i++) {
        client.setData().inBackground((c, e) -> answered.countDown()).forPath("/pad", new byte[0]);
      }
      assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * Copies the persistent znodes under {@code path}, data included, as a tool that moves data to
   * another ensemble does: each is created anew there, with that ensemble's zxids and version 0.
   */
  private static void copy(CuratorFramework from, CuratorFramework to, String path)
      throws Exception {
    Stat stat = new Stat();
    byte[] data = from.getData().storingStatIn(stat).forPath(path);
    if (stat.getEphemeralOwner() != 0) {
      return;
    }
    if (!path.equals("/")) {
      to.create().creatingParentsIfNeeded().forPath(path, data);
    }
    for (String child : from.getChildren().forPath(path)) {
      copy(from, to, ZKPaths.makePath(path, child));
    }
  }
}
