package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.error.MemberIdInUseException;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Leadership and fencing on a real ZooKeeper server. */
class LeaderElectionIT {

  private static final Logger log = LoggerFactory.getLogger(LeaderElectionIT.class);

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

  private Node node(String id, String connectString) throws Exception {
    Node node = new Node(id, connectString);
    closeables.add(node);
    return node;
  }

  private static Node awaitSingleLeader(List<Node> nodes) {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> nodes.stream().filter(Node::leads).count() == 1);
    return nodes.stream().filter(Node::leads).findFirst().orElseThrow();
  }

  /**
   * The latch names a node leader but ZooKeeper refuses its term (here: no write permission on the
   * epoch znode; in scheduler-bench, a sync() that timed out): the node must keep trying, or the
   * cluster has a leader that never works.
   */
  @Test
  void aTermZooKeeperRefusedIsTakenOnceItCanBe() throws Exception {
    try (CuratorFramework admin = ZkClients.started(server.getConnectString(), Node.NAMESPACE)) {
      admin
          .create()
          .creatingParentsIfNeeded()
          .withACL(
              List.of(
                  new org.apache.zookeeper.data.ACL(
                      org.apache.zookeeper.ZooDefs.Perms.READ
                          | org.apache.zookeeper.ZooDefs.Perms.ADMIN,
                      org.apache.zookeeper.ZooDefs.Ids.ANYONE_ID_UNSAFE)))
          .forPath(new dev.zkscheduler.zk.ZkLayout().epoch());
      Node node = node("a", server.getConnectString());
      await()
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !node.leads());

      admin
          .setACL()
          .withACL(org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE)
          .forPath(new dev.zkscheduler.zk.ZkLayout().epoch());
      await().atMost(Duration.ofSeconds(10)).until(node::leads);
      assertThat(node.term().epoch()).isEqualTo(1);
    }
  }

  @Test
  void gracefulCloseHandsOverAtOnceWithALargerEpoch() throws Exception {
    List<Node> nodes =
        new ArrayList<>(
            List.of(
                node("a", server.getConnectString()),
                node("b", server.getConnectString()),
                node("c", server.getConnectString())));
    Node first = awaitSingleLeader(nodes);
    long firstEpoch = first.term().epoch();

    long t0 = System.nanoTime();
    first.close();
    nodes.remove(first);
    Node second = awaitSingleLeader(nodes);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    log.info(
        "graceful handover took {} ms (session timeout {} ms)",
        millis,
        ZkClients.SESSION_TIMEOUT_MS);

    assertThat(second).isNotSameAs(first);
    assertThat(second.term().epoch()).isGreaterThan(firstEpoch);
    assertThat(second.metrics.getGauges().get(MetricNames.LEADER).getValue()).isEqualTo(1);
    assertThat(second.election.leaderId()).isEqualTo(second.id);
  }

  @Test
  void killedLeaderIsReplacedAfterItsSessionExpires() throws Exception {
    TcpProxy proxy = new TcpProxy(server.getPort());
    closeables.add(proxy);
    Node victim = node("victim", proxy.connectString());
    await().atMost(Duration.ofSeconds(10)).until(victim::leads);
    long epoch = victim.term().epoch();
    List<Node> others =
        List.of(node("b", server.getConnectString()), node("c", server.getConnectString()));

    // A crash without goodbye: the server hears nothing until the session times out.
    long t0 = System.nanoTime();
    proxy.blackhole();
    Node next = awaitSingleLeader(others);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    log.info(
        "failover after a silent crash took {} ms (session timeout {} ms)",
        millis,
        ZkClients.SESSION_TIMEOUT_MS);

    assertThat(next.term().epoch()).isGreaterThan(epoch);
    assertThat(victim.leads()).isFalse();
    assertThat(victim.metrics.counter(MetricNames.ZK_SUSPENDED).getCount())
        .isGreaterThanOrEqualTo(1);
    assertThat(victim.metrics.getGauges().get(MetricNames.ZK_CONNECTED).getValue()).isEqualTo(0);
    assertThat(next.metrics.getGauges().get(MetricNames.ZK_CONNECTED).getValue()).isEqualTo(1);
  }

  /** G1: a node whose session expired cannot write with its old term; ZooKeeper refuses it. */
  @Test
  void anExpiredLeadersWriteIsRefusedByZooKeeper() throws Exception {
    TcpProxy proxy = new TcpProxy(server.getPort());
    closeables.add(proxy);
    Node old = node("old", proxy.connectString());
    await().atMost(Duration.ofSeconds(10)).until(old::leads);
    ZkLeaderTerm oldTerm = old.term();
    Node successor = node("new", server.getConnectString());

    proxy.blackhole();
    await().atMost(Duration.ofSeconds(15)).until(successor::leads);
    assertThat(
            successor.fenced.commit(
                successor.term(), List.of(create(successor.client, "/state", "new"))))
        .isEqualTo(CommitResult.COMMITTED);
    proxy.heal();
    // The old node reconnects with a new session; its old latch node is gone for good.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> old.client.getZookeeperClient().isConnected());

    ZkLeaderTerm believed = Terms.stillBelieved(oldTerm, old.election);
    assertThatThrownBy(
            () -> old.fenced.commit(believed, List.of(setData(old.client, "/state", "old"))))
        .isInstanceOf(FencingException.class)
        .hasMessageContaining("latch node");
    assertThat(new String(successor.client.getData().forPath("/state"))).isEqualTo("new");
    assertThat(old.metrics.counter(MetricNames.FENCING_REJECTIONS).getCount()).isEqualTo(1);
  }

  /** Even with its session alive, a writer whose epoch was superseded is refused. */
  @Test
  void aSupersededEpochIsRefusedEvenWithALiveLatchNode() throws Exception {
    Node a = node("a", server.getConnectString());
    await().atMost(Duration.ofSeconds(10)).until(a::leads);
    ZkLeaderTerm first = a.term();
    // Another term is taken (as a new leader would): bump the epoch under a's own latch node.
    a.election.endTerm(first, "test: force a new term");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.leads() && a.term().epoch() > first.epoch());

    ZkLeaderTerm believed = Terms.stillBelieved(first, a.election);
    assertThatThrownBy(() -> a.fenced.commit(believed, List.of(create(a.client, "/x", "stale"))))
        .isInstanceOf(FencingException.class)
        .hasMessageContaining("epoch moved");
    assertThat(a.client.checkExists().forPath("/x")).isNull();
    assertThat(a.fenced.commit(a.term(), List.of(create(a.client, "/x", "fresh"))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  @Test
  void dataConflictsAreValuesNotFencing() throws Exception {
    Node a = node("a", server.getConnectString());
    await().atMost(Duration.ofSeconds(10)).until(a::leads);
    assertThat(a.fenced.commit(a.term(), List.of(create(a.client, "/run", "1"))))
        .isEqualTo(CommitResult.COMMITTED);
    CommitResult again =
        a.fenced.commit(
            a.term(), List.of(create(a.client, "/other", "x"), create(a.client, "/run", "2")));
    assertThat(again).isEqualTo(new CommitResult(CommitResult.Outcome.EXISTED, 1));
    assertThat(a.client.checkExists().forPath("/other")).as("nothing half-written").isNull();
    assertThat(a.leads()).isTrue();
    CommitResult conflict =
        a.fenced.commit(
            a.term(),
            List.of(
                a.client.transactionOp().setData().withVersion(7).forPath("/run", new byte[0])));
    assertThat(conflict.outcome()).isEqualTo(CommitResult.Outcome.CONFLICT);
  }

  @Test
  void aSecondNodeWithTheSameIdIsRefused() throws Exception {
    CuratorFramework c1 = ZkClients.started(server.getConnectString(), Node.NAMESPACE);
    CuratorFramework c2 = ZkClients.started(server.getConnectString(), Node.NAMESPACE);
    closeables.add(c1);
    closeables.add(c2);
    Membership first =
        new Membership(
            c1,
            new dev.zkscheduler.zk.ZkLayout(),
            "twin",
            "127.0.0.1:8080",
            "test",
            java.time.Clock.systemUTC());
    first.start();
    closeables.add(first);
    Membership second =
        new Membership(
            c2,
            new dev.zkscheduler.zk.ZkLayout(),
            "twin",
            "127.0.0.1:9090",
            "test",
            java.time.Clock.systemUTC());
    assertThatThrownBy(second::start)
        .isInstanceOf(MemberIdInUseException.class)
        .hasMessageContaining("127.0.0.1:8080");
    assertThat(first.members()).extracting(Member::id).containsExactly("twin");

    // The refused node cleans up after itself without removing the live node's registration.
    second.close();
    assertThat(first.members())
        .extracting(Member::id, Member::address)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("twin", "127.0.0.1:8080"));
  }

  @Test
  void startingTwiceThrowsAndLeavesTheElectionAsItWas() throws Exception {
    Node a = node("a", server.getConnectString());
    Node b = node("b", server.getConnectString());
    Node leader = awaitSingleLeader(List.of(a, b));
    long epoch = leader.term().epoch();

    assertThatThrownBy(leader.election::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LeaderElection " + leader.id + " started twice");

    assertThat(participants(leader.client)).hasSize(2);
    assertThat(leader.term().epoch()).isEqualTo(epoch);
    assertThat(leader.metrics.counter(MetricNames.TERMS_STARTED).getCount()).isEqualTo(1);
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedElectionNeverStarts() throws Exception {
    Node a = node("a", server.getConnectString());
    await().atMost(Duration.ofSeconds(15)).until(a::leads);

    a.election.close();
    a.election.close();
    assertThat(a.election.currentTerm()).isEmpty();
    assertThat(participants(a.client)).isEmpty();
    assertThatThrownBy(a.election::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started after close");

    LeaderElection never =
        new LeaderElection(
            a.client,
            new dev.zkscheduler.zk.ZkLayout(),
            "never",
            java.time.Clock.systemUTC(),
            null);
    never.close();
    never.close();
    assertThatThrownBy(never::start).isInstanceOf(IllegalStateException.class);
    assertThat(participants(a.client)).isEmpty();
    assertThat(never.currentTerm()).isEmpty();
  }

  @Test
  void membershipStartsOnceAndClosesIdempotently() throws Exception {
    CuratorFramework client = ZkClients.started(server.getConnectString(), Node.NAMESPACE);
    closeables.add(client);
    Membership member = membership(client, "m");
    member.start();
    assertThatThrownBy(member::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started twice");
    assertThat(member.members()).extracting(Member::id).containsExactly("m");

    member.close();
    member.close();
    assertThat(member.members()).isEmpty();
    assertThatThrownBy(member::start).isInstanceOf(IllegalStateException.class);

    Membership never = membership(client, "never");
    never.close();
    never.close();
    assertThatThrownBy(never::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started after close");
    assertThat(never.members()).isEmpty();
  }

  private static Membership membership(CuratorFramework client, String id) {
    return new Membership(
        client,
        new dev.zkscheduler.zk.ZkLayout(),
        id,
        "127.0.0.1:8080",
        "test",
        java.time.Clock.systemUTC());
  }

  /** The latch nodes of the election, whoever holds them. */
  private static List<String> participants(CuratorFramework client) throws Exception {
    try {
      return client.getChildren().forPath(new dev.zkscheduler.zk.ZkLayout().latch());
    } catch (org.apache.zookeeper.KeeperException.NoNodeException none) {
      return List.of();
    }
  }

  static org.apache.curator.framework.api.transaction.CuratorOp create(
      CuratorFramework client, String path, String data) throws Exception {
    return client
        .transactionOp()
        .create()
        .withMode(CreateMode.PERSISTENT)
        .forPath(path, data.getBytes());
  }

  static org.apache.curator.framework.api.transaction.CuratorOp setData(
      CuratorFramework client, String path, String data) throws Exception {
    return client.transactionOp().setData().forPath(path, data.getBytes());
  }
}
