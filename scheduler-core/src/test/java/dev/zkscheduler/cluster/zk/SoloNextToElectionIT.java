package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node leading without an election never leads next to electing nodes: whichever is live first
 * keeps leading and the other refuses to start; an electing node that finds a solo node only when
 * the latch names it takes no term until that node is gone.
 */
class SoloNextToElectionIT {

  private TestingServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // Best effort.
      }
    }
    server.close();
  }

  private CuratorFramework client() {
    CuratorFramework client = ZkClients.started(server.getConnectString(), Node.NAMESPACE);
    closeables.add(client);
    return client;
  }

  private SoloLeadership solo(CuratorFramework client, String id) {
    SoloLeadership solo = new SoloLeadership(client, new ZkLayout(), id, Clock.systemUTC(), null);
    closeables.add(solo);
    return solo;
  }

  @Test
  void aSoloNodeIsRefusedWhileAnElectingNodeLivesAndStartsOnceItLeaves() throws Exception {
    Node e = new Node("e", server.getConnectString());
    closeables.add(e);
    await().atMost(Duration.ofSeconds(10)).until(e::leads);
    long epoch = e.term().epoch();

    SoloLeadership s = solo(client(), "s");
    assertThatThrownBy(s::start)
        .isInstanceOf(LeadershipConflictException.class)
        .hasMessageContaining("leader election: [e]")
        .hasMessageContaining("namespace '" + Node.NAMESPACE + "'");
    assertThat(e.election.clusterEpoch()).isEqualTo(epoch);
    assertThat(e.term().epoch()).isEqualTo(epoch);
    assertThat(Claimants.soloClaims(e.client, new ZkLayout())).isEmpty();

    e.close();
    SoloLeadership again = solo(client(), "s");
    again.start();
    assertThat(again.currentTerm().orElseThrow().epoch()).isGreaterThan(epoch);
  }

  /**
   * The choice for an electing node next to a live solo node: refuse to start, as the solo node
   * would. A solo node that is gone — here its client closed without a word, as after kill -9 once
   * the session ended — is no obstacle: its claim went with its session.
   */
  @Test
  void anElectingNodeIsRefusedWhileASoloNodeLivesAndStartsOnceItsSessionIsGone() throws Exception {
    CuratorFramework soloClient = client();
    SoloLeadership s = solo(soloClient, "s");
    s.start();
    long epoch = s.currentTerm().orElseThrow().epoch();

    CuratorFramework electingClient = client();
    LeaderElection e =
        new LeaderElection(electingClient, new ZkLayout(), "e", Clock.systemUTC(), null);
    closeables.add(e);
    assertThatThrownBy(e::start)
        .isInstanceOf(LeadershipConflictException.class)
        .hasMessageContaining("without an election (leaderElection: false): [s]")
        .hasMessageContaining("namespace '" + Node.NAMESPACE + "'");
    assertThat(Claimants.latchParticipants(electingClient, new ZkLayout())).isEmpty();
    assertThat(s.currentTerm().orElseThrow().epoch()).isEqualTo(epoch);
    assertThat(s.clusterEpoch()).isEqualTo(epoch);

    soloClient.close();
    Node next = new Node("e", server.getConnectString());
    closeables.add(next);
    await().atMost(Duration.ofSeconds(10)).until(next::leads);
    assertThat(next.term().epoch()).isGreaterThan(epoch);
  }

  /**
   * The race an electing node's start check cannot close alone: a solo claim that appears after it
   * joined (here created by hand, as a solo node would whose check ran before the latch node
   * existed). Named leader by the latch, the electing node takes no term and says why; once the
   * claim is gone it leads within about a second.
   */
  @Test
  void anElectingNodeTakesNoTermWhileASoloClaimLivesAndLeadsOnceItIsGone() throws Exception {
    Node first = new Node("e1", server.getConnectString());
    closeables.add(first);
    await().atMost(Duration.ofSeconds(10)).until(first::leads);
    Node second = new Node("e2", server.getConnectString());
    closeables.add(second);
    CuratorFramework soloClient = client();
    soloClient
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(new ZkLayout().solo("s"));
    long epoch = first.election.clusterEpoch();

    first.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> "e2".equals(second.election.leaderId()));
    await().atMost(Duration.ofSeconds(10)).until(() -> second.election.standingAside().isPresent());
    assertThat(second.election.standingAside().orElseThrow()).contains("[s]");
    await()
        .during(Duration.ofMillis(2 * TermKeeper.RETAKE_MS + 500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !second.leads() && second.election.clusterEpoch() == epoch);

    soloClient.close();
    await().atMost(Duration.ofSeconds(10)).until(second::leads);
    assertThat(second.term().epoch()).isGreaterThan(epoch);
    assertThat(second.election.standingAside()).isEmpty();
    assertThat(second.metrics.counter(MetricNames.TERMS_STARTED).getCount()).isEqualTo(1);
  }
}
