package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A node leading without an election does not start next to electing nodes. */
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
}
