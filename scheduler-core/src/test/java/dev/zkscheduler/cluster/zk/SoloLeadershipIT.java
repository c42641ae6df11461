package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.zk.FencedTransaction;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leading with the election off: immediate, still fenced, refused when another solo node lives. */
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

  private record Solo(
      CuratorFramework client,
      SoloLeadership leadership,
      FencedTransaction fenced,
      MetricRegistry metrics)
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
        new Solo(
            client, leadership, new FencedTransaction(client, new ZkLayout(), metrics), metrics);
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

  /** The misconfiguration this class exists to refuse: two nodes leading without an election. */
  @Test
  void aSecondSoloNodeIsRefusedWhileTheFirstLivesAndStartsOnceItCloses() throws Exception {
    Solo a = solo("a");
    ZkLeaderTerm aTerm = a.term();

    assertThatThrownBy(() -> solo("b"))
        .isInstanceOf(LeadershipConflictException.class)
        .hasMessageContaining("member 'a'")
        .hasMessageContaining("namespace 'solo-it'");
    // b took no term and left no claim: a goes on as before.
    assertThat(a.leadership.clusterEpoch()).isEqualTo(aTerm.epoch());
    assertThat(a.term()).isSameAs(aTerm);
    assertThat(soloNodes(a.client)).singleElement().asString().startsWith("a-");
    assertThat(a.fenced.commit(aTerm, List.of(create(a.client, "/y", "a"))))
        .isEqualTo(CommitResult.COMMITTED);

    a.leadership.close();
    Solo b = solo("b");
    assertThat(b.term().epoch()).isGreaterThan(aTerm.epoch());
  }

  /** The claim-then-check scheme: of two nodes starting at the same instant, exactly one leads. */
  @Test
  void ofTwoSoloNodesStartingTogetherExactlyOneLeads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    closeables.add(pool::shutdownNow);
    for (int round = 0; round < 5; round++) {
      List<SoloLeadership> pair = new ArrayList<>();
      for (String id : List.of("x" + round, "y" + round)) {
        CuratorFramework client = ZkClients.started(server.getConnectString(), "solo-it");
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        SoloLeadership leadership =
            new SoloLeadership(client, new ZkLayout(), id, Clock.systemUTC(), null);
        closeables.add(client);
        closeables.add(leadership);
        pair.add(leadership);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> started = new ArrayList<>();
      for (SoloLeadership leadership : pair) {
        started.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    leadership.start();
                    return true;
                  } catch (LeadershipConflictException refused) {
                    return false;
                  }
                }));
      }
      go.countDown();
      List<Boolean> led = new ArrayList<>();
      for (Future<Boolean> f : started) {
        led.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(led).as("round %s", round).containsExactlyInAnyOrder(true, false);
      SoloLeadership leader = pair.get(led.indexOf(true));
      SoloLeadership refused = pair.get(led.indexOf(false));
      assertThat(leader.currentTerm()).isPresent();
      assertThat(refused.currentTerm()).isEmpty();
      assertThat(leader.clusterEpoch()).isEqualTo(leader.currentTerm().orElseThrow().epoch());
      assertThat(soloNodes(pair.get(0).client))
          .singleElement()
          .asString()
          .startsWith(leader.memberId() + "-");
      leader.close();
    }
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
