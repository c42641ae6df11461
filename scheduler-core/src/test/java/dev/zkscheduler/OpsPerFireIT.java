package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * What one fire costs ZooKeeper, pinned: a single-task job fired on schedule and run to SUCCEEDED
 * on a real server, counted by the leader's own counters of the ops its fenced multis send. The
 * figures are in docs/zookeeper-layout.md ("Cost per fire") and docs/performance.md; one op more
 * per fire fails this test.
 *
 * <p>The fire is one multi: set the schedule state (listing the run), create the run, check the
 * worker's node, create the assignment. The outcome is one multi: set the run, delete the
 * assignment. Each multi adds two fence checks. (The worker's report, {@code check} + {@code
 * setData}, is the worker's own multi, not counted here.)
 */
class OpsPerFireIT {

  /** Leader ops per fire, fence checks apart: 5 writes and the check of the worker's node. */
  private static final long LEADER_OPS_PER_FIRE = 6;

  /** Two multis (the fire, the outcome), two fence checks each. */
  private static final long FENCE_CHECKS_PER_FIRE = 4;

  @Test
  void aFireRunToSuccessCostsSixLeaderOpsBesidesItsFenceChecks() throws Exception {
    MetricRegistry metrics = new MetricRegistry();
    String namespace = "ops-per-fire";
    try (TestingServer server = new TestingServer(true);
        CuratorFramework observer = ZkClients.started(server.getConnectString(), namespace);
        Scheduler node =
            Scheduler.builder()
                .connectString(server.getConnectString())
                .namespace(namespace)
                .sessionTimeout(Duration.ofMillis(ZkClients.SESSION_TIMEOUT_MS))
                .connectionTimeout(Duration.ofMillis(ZkClients.CONNECTION_TIMEOUT_MS))
                .memberId("node-1")
                .metrics(metrics)
                .handler("work", ctx -> TaskResult.success())
                .build()) {
      node.start();
      await().atMost(Duration.ofSeconds(20)).until(node::isLeader);
      await().atMost(Duration.ofSeconds(20)).until(() -> node.cluster().workers().size() == 1);
      Instant fire = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(4);
      node.createJob(
          JobDefinition.builder("j")
              .schedule(Schedule.interval(Duration.ofHours(1), fire))
              .task("t", "work")
              .build());
      // The new job's schedule state is written before it fires: counted before the fire.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> observer.checkExists().forPath(new ZkLayout().schedule("j")) != null);
      long ops = count(metrics, MetricNames.STORE_COMMIT_OPS);
      long fenceChecks = count(metrics, MetricNames.STORE_COMMIT_FENCE_CHECKS);
      assertThat(Instant.now()).as("the fire is still ahead").isBefore(fire);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  node.runs("j", 1).stream()
                      .map(Run::state)
                      .toList()
                      .equals(List.of(RunState.SUCCEEDED)));

      assertThat(count(metrics, MetricNames.STORE_COMMIT_OPS) - ops)
          .as("leader ops of one fire, fence checks apart")
          .isEqualTo(LEADER_OPS_PER_FIRE);
      assertThat(count(metrics, MetricNames.STORE_COMMIT_FENCE_CHECKS) - fenceChecks)
          .as("fence checks of one fire")
          .isEqualTo(FENCE_CHECKS_PER_FIRE);
    }
  }

  private static long count(MetricRegistry metrics, String name) {
    return metrics.counter(name).getCount();
  }
}
