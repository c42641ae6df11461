package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.error.LeadershipConflictException;
import dev.zkscheduler.health.LeadershipHealthCheck;
import dev.zkscheduler.metrics.MetricNames;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leading with the election off: immediate, still fenced, refused when another solo node lives, and
 * out for good once another node took a newer term.
 */
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
    assertThat(b.leadership.standingAside()).isEmpty();
  }

  /**
   * A single-node install restarted after kill -9: the old session still holds the old claim. The
   * new incarnation leads at once and fences the old one, which, should it still run, stays out.
   */
  @Test
  void aRestartWithTheSameIdLeadsAndTheOldIncarnationStaysOut() throws Exception {
    Solo old = solo("a");
    ZkLeaderTerm oldTerm = old.term();
    Solo fresh = solo("a");
    ZkLeaderTerm freshTerm = fresh.term();
    assertThat(freshTerm.epoch()).isGreaterThan(oldTerm.epoch());

    assertThatThrownBy(() -> old.fenced.commit(oldTerm, List.of(create(old.client, "/y", "old"))))
        .isInstanceOf(FencingException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> old.leadership.standingAside().isPresent());
    assertThat(old.leadership.standingAside().orElseThrow()).contains("newer incarnation");
    await()
        .during(Duration.ofMillis(2 * TermKeeper.RETAKE_MS + 500))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                old.leadership.currentTerm().isEmpty()
                    && fresh.leadership.currentTerm().orElse(null) == freshTerm
                    && fresh.leadership.clusterEpoch() == freshTerm.epoch());
    assertThat(fresh.fenced.commit(freshTerm, List.of(create(fresh.client, "/y", "fresh"))))
        .isEqualTo(CommitResult.COMMITTED);
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

  /**
   * Another node takes a newer term (simulated from another client, as a second leader would): the
   * solo node's write is refused, and it stands aside for good instead of taking the term back.
   */
  @Test
  void aSoloNodeFencedByANewerTermStandsAsideForGood() throws Exception {
    Solo a = solo("a");
    ZkLeaderTerm aTerm = a.term();
    long intruderEpoch = intrude();

    assertThatThrownBy(() -> a.fenced.commit(aTerm, List.of(create(a.client, "/y", "a"))))
        .isInstanceOf(FencingException.class);
    assertThat(a.client.checkExists().forPath("/y")).isNull();
    assertStoodAsideForGood(a, aTerm, intruderEpoch);
  }

  /** The epoch watch: a node that writes nothing still hears of the newer term and stands aside. */
  @Test
  void anIdleSoloNodeStandsAsideWhenANewerTermIsTaken() throws Exception {
    Solo a = solo("a");
    ZkLeaderTerm aTerm = a.term();
    long intruderEpoch = intrude();

    await().atMost(Duration.ofSeconds(10)).until(() -> !aTerm.isCurrent());
    assertStoodAsideForGood(a, aTerm, intruderEpoch);
  }

  /** Takes a term from another client, with a claim of its own; returns its epoch. */
  private long intrude() throws Exception {
    CuratorFramework intruder = ZkClients.started(server.getConnectString(), "solo-it");
    closeables.add(intruder);
    String claim =
        intruder.create().withMode(CreateMode.EPHEMERAL).forPath("/intruder-claim", new byte[0]);
    return Epochs.take(intruder, new ZkLayout(), claim, "intruder", Clock.systemUTC(), -1).epoch();
  }

  private void assertStoodAsideForGood(Solo a, ZkLeaderTerm aTerm, long intruderEpoch)
      throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership.standingAside().isPresent());
    assertThat(a.leadership.standingAside().orElseThrow())
        .contains("another node took a newer term")
        .contains("intruder");
    assertThat(aTerm.isCurrent()).isFalse();
    HealthCheck.Result health =
        new LeadershipHealthCheck(
                a.leadership,
                () ->
                    new ClusterStatus(
                        a.leadership.leaderId(), intruderEpoch, "a", false, List.of()),
                a.leadership::standingAside)
            .execute();
    assertThat(health.isHealthy()).isFalse();
    assertThat(health.getMessage()).contains("stands aside").contains("newer term");
    // Well past the old one-second retake: no new term, the intruder's epoch stands.
    await()
        .during(Duration.ofMillis(2 * TermKeeper.RETAKE_MS + 500))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                a.leadership.currentTerm().isEmpty()
                    && a.leadership.clusterEpoch() == intruderEpoch);
    assertThat(a.metrics.counter(MetricNames.TERMS_STARTED).getCount()).isEqualTo(1);
    assertThat(soloNodes(a.client)).as("its claim is deleted").isEmpty();
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
