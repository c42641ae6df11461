package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.zk.FencedTransaction;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leading with the election off: immediate, still fenced, and safe when misconfigured twice. */
class SoloLeadershipIT {

  private TestingServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    server.close();
  }

  private record Solo(CuratorFramework client, SoloLeadership leadership, FencedTransaction fenced)
      implements AutoCloseable {
    ZkLeaderTerm term() {
      return (ZkLeaderTerm) leadership.currentTerm().orElseThrow();
    }

    @Override
    public void close() {
      leadership.close();
      client.close();
    }
  }

  private Solo solo(String id) throws Exception {
    CuratorFramework client = ZkClients.started(server.getConnectString(), "solo-it");
    MetricRegistry metrics = new MetricRegistry();
    SoloLeadership leadership =
        new SoloLeadership(client, new ZkLayout(), id, Clock.systemUTC(), metrics);
    Solo solo =
        new Solo(client, leadership, new FencedTransaction(client, new ZkLayout(), metrics));
    closeables.add(solo);
    leadership.start();
    return solo;
  }

  private static CuratorOp create(CuratorFramework client, String path, String data)
      throws Exception {
    return client.transactionOp().create().forPath(path, data.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void leadsAsSoonAsStartReturnsAndWritesAreFenced() throws Exception {
    Solo a = solo("a");
    assertThat(a.leadership.currentTerm()).isPresent();
    assertThat(a.leadership.leaderId()).isEqualTo("a");
    assertThat(a.term().epoch()).isEqualTo(a.leadership.clusterEpoch());
    assertThat(a.fenced.commit(a.term(), List.of(create(a.client, "/x", "a"))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  @Test
  void aSecondSoloNodeFencesTheFirstAndNeitherWritesWithAStaleTerm() throws Exception {
    Solo a = solo("a");
    ZkLeaderTerm aTerm = a.term();
    Solo b = solo("b");
    ZkLeaderTerm bTerm = b.term();
    assertThat(bTerm.epoch()).isGreaterThan(aTerm.epoch());

    assertThatThrownBy(() -> a.fenced.commit(aTerm, List.of(create(a.client, "/y", "a"))))
        .isInstanceOf(FencingException.class);
    assertThat(a.client.checkExists().forPath("/y")).isNull();
    // a was told (FencedTransaction ends the term) and takes a newer term after its pause…
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.leadership.currentTerm().map(t -> t.epoch() > bTerm.epoch()).orElse(false));
    // …which fences b's term in turn: at any moment only the newest term can write.
    assertThatThrownBy(() -> b.fenced.commit(bTerm, List.of(create(b.client, "/z", "b"))))
        .isInstanceOf(FencingException.class);
    assertThat(a.fenced.commit(a.term(), List.of(create(a.client, "/z", "a"))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  @Test
  void closeEndsTheTermAndDeletesTheNode() throws Exception {
    Solo a = solo("a");
    ZkLeaderTerm term = a.term();
    a.leadership.close();
    assertThat(term.isCurrent()).isFalse();
    assertThat(a.client.checkExists().forPath(term.latchPath())).isNull();
  }

  @Test
  void startingTwiceThrowsWithoutASecondTermOrNode() throws Exception {
    Solo a = solo("a");
    long epoch = a.term().epoch();

    assertThatThrownBy(a.leadership::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SoloLeadership a started twice");

    assertThat(a.term().epoch()).isEqualTo(epoch);
    assertThat(a.leadership.clusterEpoch()).isEqualTo(epoch);
    assertThat(soloNodes(a.client)).hasSize(1);
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedSoloNeverStarts() throws Exception {
    Solo a = solo("a");
    a.leadership.close();
    a.leadership.close();
    assertThat(a.leadership.currentTerm()).isEmpty();
    assertThat(a.leadership.leaderId()).isNull();
    assertThat(soloNodes(a.client)).isEmpty();
    assertThatThrownBy(a.leadership::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started after close");

    long epoch = a.leadership.clusterEpoch();
    SoloLeadership never =
        new SoloLeadership(a.client, new ZkLayout(), "never", Clock.systemUTC(), null);
    never.close();
    never.close();
    assertThatThrownBy(never::start).isInstanceOf(IllegalStateException.class);
    assertThat(never.currentTerm()).isEmpty();
    assertThat(soloNodes(a.client)).isEmpty();
    assertThat(a.leadership.clusterEpoch()).as("no term was taken").isEqualTo(epoch);
  }

  /** The ephemeral nodes of every node leading without an election. */
  private static List<String> soloNodes(CuratorFramework client) throws Exception {
    String parent = new ZkLayout().solo("x");
    parent = parent.substring(0, parent.lastIndexOf('/'));
    try {
      return client.getChildren().forPath(parent);
    } catch (org.apache.zookeeper.KeeperException.NoNodeException none) {
      return List.of();
    }
  }
}
