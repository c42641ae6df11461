package dev.zkscheduler.store.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.engine.RunIds;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * Layout 3 keeps a job's runs in flight in its schedule state instead of the {@code /active} index
 * of layouts 1 and 2: migrating folds every index entry into its job's list (creating the record of
 * a job that had none), removes the index, and a node of this release then takes over the runs that
 * were in flight under the old layout.
 */
class LayoutMigrationIT {

  private static final String NAMESPACE = "migrate-active";

  private final ZkLayout layout = new ZkLayout();

  /** A run of one PENDING task {@code t} of type {@code work}, carrying its DAG, created now. */
  private static Run pending(String jobId, String runId, Instant nominal) {
    PinnedDag.Task task =
        new PinnedDag.Task(
            "work",
            Map.of(),
            List.of(),
            TriggerRule.ALL_SUCCESS,
            new PinnedDag.Retry(1, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1), 0.0),
            Duration.ofMinutes(1));
    return RunProgress.of(new PinnedDag(Duration.ofMinutes(5), Map.of("t", task)))
        .newRun(runId, jobId, nominal, RunTrigger.SCHEDULE, Instant.now(), 1);
  }

  private void writeRun(CuratorFramework client, Run run) throws Exception {
    client
        .create()
        .creatingParentsIfNeeded()
        .forPath(layout.run(run.jobId(), run.id()), RunCodec.encode(run));
  }

  private void indexAsActive(CuratorFramework client, String jobId, String runId) throws Exception {
    client
        .create()
        .creatingParentsIfNeeded()
        .forPath(layout.legacyActiveBucket(ZkLayout.bucketOf(jobId)) + "/" + jobId + "~" + runId);
  }

  /**
   * A node of the older release still running would create runs listed only in the index being
   * folded away: the migration waits for the members to go and, while one stays, changes nothing.
   */
  @Test
  void aLayoutTwoClusterWithAMemberStillRegisteredIsNotMigrated() throws Exception {
    String run = RunIds.scheduled(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), NAMESPACE)) {
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      client.setData().forPath(layout.layoutVersion(), "2".getBytes(StandardCharsets.UTF_8));
      indexAsActive(client, "hourly", run);
      client
          .create()
          .withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
          .forPath(layout.member("old-node"), new byte[0]);

      assertThatThrownBy(
              () -> new LayoutMigrator(client, layout, Duration.ofSeconds(1)).ensureLayout())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("old-node")
          .hasMessageContaining("every node stopped");

      assertThat(
              new String(client.getData().forPath(layout.layoutVersion()), StandardCharsets.UTF_8))
          .isEqualTo("2");
      assertThat(
              client.getChildren().forPath(layout.legacyActiveBucket(ZkLayout.bucketOf("hourly"))))
          .containsExactly("hourly~" + run);
      assertThat(client.checkExists().forPath(layout.schedule("hourly"))).isNull();

      // Once the member is gone, the same start migrates.
      client.delete().forPath(layout.member("old-node"));
      assertThat(new LayoutMigrator(client, layout, Duration.ofSeconds(1)).ensureLayout())
          .isEqualTo(2);
      assertThat(client.checkExists().forPath(layout.legacyActiveRoot())).isNull();
    }
  }

  @Test
  void runsInFlightUnderLayoutTwoAreListedAndTakenOverAfterMigration() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Set<String> called = ConcurrentHashMap.newKeySet();
    String s1 = RunIds.scheduled(now.minusSeconds(1800));
    String m1 = RunIds.manual(now.minusSeconds(60));
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), NAMESPACE)) {
      // A layout 2 cluster stopped with two runs in flight: the parents of layout 2, its index.
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      client.setData().forPath(layout.layoutVersion(), "2".getBytes(StandardCharsets.UTF_8));
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              client,
              layout,
              new FencedTransaction(client, layout, null),
              StoreLimits.DEFAULT,
              null);
      store.createJob(
          JobDefinition.builder("hourly")
              .schedule(Schedule.interval(Duration.ofHours(1), now.minusSeconds(1800)))
              .task("t", "work")
              .build());
      store.createJob(JobDefinition.builder("manual").task("t", "work").build());
      ScheduleState progress =
          new ScheduleState("hourly", now.minusSeconds(1800), now.plusSeconds(1800), 0);
      client.create().forPath(layout.schedule("hourly"), ScheduleStateCodec.encode(progress));
      writeRun(client, pending("hourly", s1, now.minusSeconds(1800)));
      writeRun(client, pending("manual", m1, now.minusSeconds(60)));
      indexAsActive(client, "hourly", s1);
      indexAsActive(client, "manual", m1);

      int found = new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();

      assertThat(found).isEqualTo(2);
      assertThat(
              new String(client.getData().forPath(layout.layoutVersion()), StandardCharsets.UTF_8))
          .isEqualTo("3");
      assertThat(client.checkExists().forPath(layout.legacyActiveRoot())).isNull();
      ScheduleState hourly = store.scheduleState("hourly").orElseThrow().value();
      assertThat(hourly.activeRunIds()).containsExactly(s1);
      assertThat(hourly.withActiveRunIds(List.of())).isEqualTo(progress);
      assertThat(store.scheduleState("manual").orElseThrow().value().activeRunIds())
          .containsExactly(m1);
      assertThat(store.activeRuns())
          .extracting(r -> r.value().jobId() + "/" + r.value().id())
          .containsExactlyInAnyOrder("hourly/" + s1, "manual/" + m1);
      assertThat(new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout())
          .as("a second start finds the layout migrated")
          .isEqualTo(3);

      try (Scheduler node =
          Scheduler.builder()
              .connectString(server.getConnectString())
              .namespace(NAMESPACE)
              .sessionTimeout(Duration.ofMillis(ZkClients.SESSION_TIMEOUT_MS))
              .connectionTimeout(Duration.ofMillis(ZkClients.CONNECTION_TIMEOUT_MS))
              .memberId("node-1")
              .handler(
                  "work",
                  ctx -> {
                    called.add(ctx.jobId() + "/" + ctx.runId());
                    return TaskResult.success();
                  })
              .build()) {
        node.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(
                            List.of(
                                String.valueOf(node.run("hourly", s1).map(Run::state).orElse(null)),
                                String.valueOf(
                                    node.run("manual", m1).map(Run::state).orElse(null))))
                        .containsOnly(RunState.SUCCEEDED.name()));
      }
      assertThat(called).containsExactlyInAnyOrder("hourly/" + s1, "manual/" + m1);
    }
  }
}
