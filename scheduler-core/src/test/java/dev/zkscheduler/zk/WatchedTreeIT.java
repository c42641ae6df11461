package dev.zkscheduler.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.testing.ServerRequests;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** A watched tree against a real server: what it reads, and what it tells after a cut. */
class WatchedTreeIT {

  /** Every callback, as {@code kind path [data]}, in the order told. */
  private static final class Recorder implements WatchedTree.Listener {
    final List<String> told = new CopyOnWriteArrayList<>();
    final Map<String, Long> created = new ConcurrentHashMap<>();
    final AtomicBoolean loaded = new AtomicBoolean();

    @Override
    public void created(WatchedTree.Leaf leaf) {
      created.put(leaf.path(), leaf.created());
      told.add("created " + leaf.path() + " " + text(leaf.data()));
    }

    @Override
    public void changed(WatchedTree.Leaf before, WatchedTree.Leaf after) {
      told.add("changed " + after.path() + " " + text(after.data()));
    }

    @Override
    public void deleted(WatchedTree.Leaf leaf) {
      told.add("deleted " + leaf.path());
    }

    @Override
    public void loaded(int leaves, long millis, boolean first) {
      loaded.set(true);
    }
  }

  @Test
  void aTreeThatReadsNothingLearnsCreationsFromTheirEventsAlone() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "tree")) {
      client.create().forPath("/r");
      Recorder recorder = new Recorder();
      try (WatchedTree tree =
          new WatchedTree(client, "/r", 1, WatchedTree.Reads.NONE, false, "test-tree", recorder)) {
        tree.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(recorder.loaded);

        long before = ServerRequests.received(server);
        for (int multi = 0; multi < 10; multi++) {
          List<CuratorOp> creates = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            creates.add(client.transactionOp().create().forPath("/r/n" + (multi * 10 + i)));
          }
          client.transaction().forOperations(creates);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.created.size() == 100);
        long requests = ServerRequests.received(server) - before;

        // The ten multis, and nothing read per leaf (a read on each creation would be 100 more).
        assertThat(requests).isBetween(10L, 14L);
        Stat stat = client.checkExists().forPath("/r/n42");
        assertThat(recorder.created).containsEntry("/r/n42", stat.getCzxid());
        assertThat(tree.get("/r/n42")).hasValueSatisfying(l -> assertThat(l.data()).isEmpty());

        client.delete().forPath("/r/n42");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(recorder.told).contains("deleted /r/n42"));
        assertThat(tree.get("/r/n42")).isEmpty();
      }
    }
  }

  @Test
  void aTreeThatReadsChangesTellsCreationsEmptyAndChangesWithTheirData() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "tree")) {
      client.create().creatingParentsIfNeeded().forPath("/r/w");
      Recorder recorder = new Recorder();
      try (WatchedTree tree =
          new WatchedTree(
              client, "/r", 2, WatchedTree.Reads.CHANGES, true, "test-tree", recorder)) {
        tree.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(recorder.loaded);

        client.create().forPath("/r/w/a", new byte[0]);
        client.setData().forPath("/r/w/a", bytes("report"));

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(recorder.told)
                        .containsExactly("created /r/w/a ", "changed /r/w/a report"));
        assertThat(tree.get("/r/w/a").orElseThrow().version()).isEqualTo(1);
      }
    }
  }

  @Test
  void whatChangedWhileCutOffIsToldOnceTheWatchIsBack() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "tree");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "tree")) {
      writer.create().creatingParentsIfNeeded().forPath("/r/a/kept", bytes("k"));
      writer.create().forPath("/r/a/edited", bytes("v0"));
      writer.create().forPath("/r/a/gone", bytes("g"));
      writer.create().creatingParentsIfNeeded().forPath("/r/b/parent-gone", bytes("p"));
      AtomicBoolean cutOff = seen(watched, ConnectionState.SUSPENDED);
      Recorder recorder = new Recorder();
      try (WatchedTree tree =
          new WatchedTree(
              watched, "/r", 2, WatchedTree.Reads.CHANGES, true, "test-tree", recorder)) {
        tree.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(recorder.loaded);
        assertThat(recorder.told).hasSize(4);
        recorder.told.clear();

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);
        writer.setData().forPath("/r/a/edited", bytes("v1"));
        writer.delete().forPath("/r/a/gone");
        writer.delete().deletingChildrenIfNeeded().forPath("/r/b");
        writer.create().creatingParentsIfNeeded().forPath("/r/c/new", bytes("n"));
        proxy.heal();
        proxy.cutAll();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(recorder.told)
                        .containsExactlyInAnyOrder(
                            "changed /r/a/edited v1",
                            "deleted /r/a/gone",
                            "deleted /r/b/parent-gone",
                            "created /r/c/new n"));
        assertThat(tree.leaves())
            .extracting(WatchedTree.Leaf::path)
            .containsExactlyInAnyOrder("/r/a/kept", "/r/a/edited", "/r/c/new");
      }
    }
  }

  /** The worker's kind of tree, which reads nothing on events, after a cut: new and gone leaves. */
  @Test
  void aTreeThatReadsNothingIsToldWhatWasCreatedAndDeletedWhileCutOff() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "tree");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "tree")) {
      writer.create().creatingParentsIfNeeded().forPath("/r/kept", new byte[0]);
      writer.create().forPath("/r/gone", new byte[0]);
      AtomicBoolean cutOff = seen(watched, ConnectionState.SUSPENDED);
      Recorder recorder = new Recorder();
      try (WatchedTree tree =
          new WatchedTree(watched, "/r", 1, WatchedTree.Reads.NONE, false, "test-tree", recorder)) {
        tree.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(recorder.loaded);
        assertThat(tree.isCurrent()).isTrue();
        recorder.told.clear();

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);
        assertThat(tree.isCurrent()).as("while disconnected").isFalse();
        writer.delete().forPath("/r/gone");
        writer.create().forPath("/r/new", new byte[0]);
        writer.setData().forPath("/r/kept", bytes("not read by this tree"));
        proxy.heal();
        proxy.cutAll();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(recorder.told)
                        .containsExactlyInAnyOrder("deleted /r/gone", "created /r/new "));
        await().atMost(Duration.ofSeconds(10)).until(tree::isCurrent);
        assertThat(recorder.created)
            .containsEntry("/r/new", writer.checkExists().forPath("/r/new").getCzxid());
      }
    }
  }

  /**
   * A session that expires takes its watch with it: the tree registers the watch again on the new
   * session and tells what changed while it had none, as after a cut the session survived.
   */
  @Test
  void aTreeWhoseSessionExpiredWatchesAgainOnTheNextSessionAndTellsWhatItMissed() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "tree");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "tree")) {
      writer.create().creatingParentsIfNeeded().forPath("/r/a/kept", bytes("k"));
      writer.create().forPath("/r/a/edited", bytes("v0"));
      writer.create().forPath("/r/a/gone", bytes("g"));
      long firstSession = watched.getZookeeperClient().getZooKeeper().getSessionId();
      AtomicBoolean lost = seen(watched, ConnectionState.LOST);
      Recorder recorder = new Recorder();
      try (WatchedTree tree =
          new WatchedTree(
              watched, "/r", 2, WatchedTree.Reads.CHANGES, true, "test-tree", recorder)) {
        tree.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(recorder.loaded);
        recorder.told.clear();

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(30)).untilTrue(lost);
        writer.setData().forPath("/r/a/edited", bytes("v1"));
        writer.delete().forPath("/r/a/gone");
        writer.create().creatingParentsIfNeeded().forPath("/r/c/new", bytes("n"));
        proxy.heal();
        proxy.cutAll();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(recorder.told)
                        .containsExactlyInAnyOrder(
                            "changed /r/a/edited v1", "deleted /r/a/gone", "created /r/c/new n"));
        await().atMost(Duration.ofSeconds(10)).until(tree::isCurrent);
        assertThat(watched.getZookeeperClient().getZooKeeper().getSessionId())
            .as("a new session")
            .isNotEqualTo(firstSession);
        recorder.told.clear();

        // The watch lives on the new session: a change after it is told from its event.
        writer.setData().forPath("/r/a/kept", bytes("k2"));
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(recorder.told).containsExactly("changed /r/a/kept k2"));
      }
    }
  }

  /** A flag set once {@code client} reports {@code wanted}. */
  private static AtomicBoolean seen(CuratorFramework client, ConnectionState wanted) {
    AtomicBoolean seen = new AtomicBoolean();
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              if (state == wanted) {
                seen.set(true);
              }
            });
    return seen;
  }

  private static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
