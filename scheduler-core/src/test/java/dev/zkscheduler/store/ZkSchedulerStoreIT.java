package dev.zkscheduler.store;

import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.LeaderElection;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Terms;
import dev.zkscheduler.cluster.ZkLeaderTerm;
import dev.zkscheduler.testing.ZkClients;
import java.time.Clock;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class ZkSchedulerStoreIT extends SchedulerStoreContract {

  private static TestingServer server;
  private static int namespaces;
  private CuratorFramework client;
  private LeaderElection election;
  private ZkSchedulerStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void connect() throws Exception {
    // A fresh namespace per test: a clean cluster without restarting the server.
    client = ZkClients.started(server.getConnectString(), "contract-" + namespaces++);
    ZkLayout layout = new ZkLayout();
    new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
    election = new LeaderElection(client, layout, "a", Clock.systemUTC(), null);
    election.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
    store =
        new ZkSchedulerStore(
            client, layout, new FencedTransaction(client, layout, null), StoreLimits.DEFAULT, null);
  }

  @AfterEach
  void disconnect() {
    election.close();
    client.close();
  }

  @Override
  protected SchedulerStore store() {
    return store;
  }

  @Override
  protected LeaderTerm term() {
    await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
    return election.currentTerm().orElseThrow();
  }

  @Override
  protected LeaderTerm staleTerm() {
    ZkLeaderTerm old = (ZkLeaderTerm) term();
    election.endTerm(old, "test: supersede the term");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> election.currentTerm().map(t -> t.epoch() > old.epoch()).orElse(false));
    return Terms.stillBelieved(old, election);
  }
}
