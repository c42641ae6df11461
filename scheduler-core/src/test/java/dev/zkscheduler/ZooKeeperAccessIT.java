package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.error.NoSuchJobException;
import dev.zkscheduler.error.NoSuchRunException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;

/** The two ZooKeeper access options of the builder: digest ACLs, and leading without election. */
class ZooKeeperAccessIT {

  private static JobDefinition job(String id) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofHours(1), Instant.parse("2026-01-01T00:00:00Z")))
        .task("t", "ok")
        .build();
  }

  @Test
  void digestAuthLocksSchedulerStateToItsIdentity() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        Scheduler scheduler =
            Scheduler.builder()
                .connectString(zk.getConnectString())
                .namespace("locked")
                .memberId("n1")
                .digestAuth("scheduler", "s3cret-password")
                .handler("ok", ctx -> TaskResult.success())
                .build()) {
      scheduler.start();
      await().atMost(Duration.ofSeconds(15)).until(scheduler::isLeader);
      scheduler.createJob(job("payroll"));
      String path = new ZkLayout().job("payroll");

      try (CuratorFramework anonymous = ZkClients.started(zk.getConnectString(), "locked")) {
        assertThatThrownBy(() -> anonymous.getData().forPath(path))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.delete().forPath(path))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.getACL().forPath(path))
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
      try (CuratorFramework same =
          CuratorFrameworkFactory.builder()
              .connectString(zk.getConnectString())
              .namespace("locked")
              .retryPolicy(new RetryOneTime(100))
              .authorization("digest", "scheduler:s3cret-password".getBytes(StandardCharsets.UTF_8))
              .build()) {
        same.start();
        assertThat(new String(same.getData().forPath(path), StandardCharsets.UTF_8))
            .contains("payroll");
        assertThat(same.getACL().forPath(path))
            .allSatisfy(
                acl -> {
                  assertThat(acl.getId().getScheme()).isEqualTo("digest");
                  assertThat(acl.getId().getId()).startsWith("scheduler:");
                  assertThat(acl.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
                });
      }
    }
  }

  @Test
  void withElectionOffTheNodeLeadsAtOnceAndFires() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        Scheduler scheduler =
            Scheduler.builder()
                .connectString(zk.getConnectString())
                .memberId("solo")
                .leaderElection(false)
                .handler("ok", ctx -> TaskResult.success())
                .build()) {
      scheduler.start();
      assertThat(scheduler.isLeader()).isTrue();
      assertThat(scheduler.cluster().leaderId()).isEqualTo("solo");
      scheduler.createJob(job("manual"));
      String runId = scheduler.trigger("manual");
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  scheduler
                      .run("manual", runId)
                      .map(r -> r.state() == dev.zkscheduler.dag.RunState.SUCCEEDED)
                      .orElse(false));
    }
  }

  /**
   * A second node with election off in the same namespace: its Scheduler fails to start, naming the
   * node that leads, and writes nothing (not even its code-defined job); the first leads on.
   */
  @Test
  void aSecondSchedulerWithoutElectionFailsToStartAndWritesNothing() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        Scheduler first =
            Scheduler.builder()
                .connectString(zk.getConnectString())
                .memberId("solo-1")
                .leaderElection(false)
                .handler("ok", ctx -> TaskResult.success())
                .build();
        Scheduler second =
            Scheduler.builder()
                .connectString(zk.getConnectString())
                .memberId("solo-2")
                .leaderElection(false)
                .handler("ok", ctx -> TaskResult.success())
                .job(job("from-second"))
                .build()) {
      first.start();
      assertThat(first.isLeader()).isTrue();
      long epoch = first.cluster().epoch();

      assertThatThrownBy(second::start)
          .isInstanceOf(LeadershipConflictException.class)
          .hasMessageContaining("member 'solo-1'")
          .hasMessageContaining("namespace 'zk-scheduler'");

      assertThat(first.job("from-second")).isEmpty();
      assertThat(first.cluster().members()).extracting(Member::id).containsExactly("solo-1");
      assertThat(first.cluster().epoch()).isEqualTo(epoch);
      assertThat(first.isLeader()).isTrue();
    }
  }

  /** Ids that no job or run can have are unknown, not errors (found by BadInputIT: a 500). */
  @Test
  void unsafeIdsAreUnknownRatherThanErrors() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        Scheduler scheduler =
            Scheduler.builder()
                .connectString(zk.getConnectString())
                .memberId("n1")
                .handler("ok", ctx -> TaskResult.success())
                .build()) {
      scheduler.start();
      scheduler.createJob(job("real"));
      for (String bad : new String[] {"..", ".", "a/b", "", "A", "x\u0000"}) {
        assertThat(scheduler.job(bad)).as(bad).isEmpty();
        assertThatThrownBy(() -> scheduler.status(bad)).isInstanceOf(NoSuchJobException.class);
        assertThatThrownBy(() -> scheduler.trigger(bad)).isInstanceOf(NoSuchJobException.class);
        assertThatThrownBy(() -> scheduler.runs(bad, 5)).isInstanceOf(NoSuchJobException.class);
        assertThat(scheduler.deleteJob(bad, java.util.OptionalInt.empty())).isFalse();
        assertThat(scheduler.run("real", bad)).as(bad).isEmpty();
        assertThatThrownBy(() -> scheduler.cancel("real", bad))
            .isInstanceOf(NoSuchRunException.class);
      }
      assertThat(scheduler.job("real")).isPresent();
    }
  }
}
