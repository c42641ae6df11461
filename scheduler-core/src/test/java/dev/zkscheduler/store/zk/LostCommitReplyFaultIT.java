package dev.zkscheduler.store.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.zk.LeaderElection;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * The answer to a committed multi is lost on the wire: the proxy lets the request through, holds
 * the server's reply and then cuts the connection. The client reconnects within its session and
 * sends the multi again.
 */
class LostCommitReplyFaultIT {

  private static final Instant T = Instant.parse("2026-12-01T14:00:00Z");

  @Test
  void aRunWhoseCreationLostItsAnswerIsCommittedAndActive() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort())) {
      CuratorFramework client = ZkClients.started(proxy.connectString(), "lost-reply");
      CuratorFramework observer = ZkClients.started(server.getConnectString(), "lost-reply");
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      LeaderElection election = new LeaderElection(client, layout, "a", Clock.systemUTC(), null);
      try {
        election.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
        LeaderTerm term = election.currentTerm().orElseThrow();
        ZkSchedulerStore store =
            new ZkSchedulerStore(
                client,
                layout,
                new FencedTransaction(client, layout, null),
                StoreLimits.DEFAULT,
                null);
        Run run = running("j", "r1", term.epoch());
        ScheduleState state =
            new ScheduleState("j", T, T.plusSeconds(60), 0, 0L, List.of("r0", "r1"));
        // The runs parent is made before the fault: only the multi itself meets it.
        store.commit(term, List.of(new StoreOp.CreateRun(running("j", "r0", term.epoch()))));

        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        proxy.holdReplies();
        CompletableFuture<CommitResult> result =
            CompletableFuture.supplyAsync(
                () ->
                    store.commit(
                        term,
                        List.of(
                            new StoreOp.PutScheduleState(state, StoreOp.CREATE),
                            new StoreOp.CreateRun(run))));
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> observer.checkExists().forPath(layout.run("j", "r1")) != null);
        assertThat(result).as("the answer is held").isNotDone();
        proxy.cutAll();
        proxy.heal();

        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(CommitResult.COMMITTED);
        assertThat(client.getZookeeperClient().getZooKeeper().getSessionId())
            .as("the client reconnected within its session")
            .isEqualTo(session);
        assertThat(store.run("j", "r1").map(v -> new Versioned<>(v.value(), v.version())))
            .contains(new Versioned<>(run, 0));
        assertThat(store.scheduleState("j").map(v -> new Versioned<>(v.value(), v.version())))
            .contains(new Versioned<>(state, 0));
        assertThat(store.activeRuns())
            .extracting(v -> v.value().id())
            .containsExactlyInAnyOrder("r0", "r1");
      } finally {
        election.close();
        observer.close();
        client.close();
      }
    }
  }

  private static Run running(String jobId, String runId, long epoch) {
    return new Run(
        runId,
        jobId,
        T,
        RunTrigger.SCHEDULE,
        RunState.RUNNING,
        T,
        null,
        null,
        epoch,
        Map.of("t", new TaskRun(TaskState.RUNNING, 1, null, null, null, null, null)));
  }
}
