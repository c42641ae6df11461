package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.zk.FencedTransactions;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * Partitions, pauses and server loss. Every verdict comes from what ZooKeeper committed, never from
 * what the nodes believe or log.
 */
class FaultIT {

  /** A writer that appends (epoch, member) entries to a sequential ledger while it holds a term. */
  private static final class LedgerWriter implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final Thread thread;

    LedgerWriter(Node node, Supplier<ZkLeaderTerm> term) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  ZkLeaderTerm t = term.get();
                  if (t == null) {
                    Thread.onSpinWait();
                    continue;
                  }
                  try {
                    byte[] entry = (t.epoch() + ":" + node.id).getBytes(StandardCharsets.UTF_8);
                    CommitResult result =
                        node.fenced.commit(
                            t,
                            List.of(
                                node.client
                                    .transactionOp()
                                    .create()
                                    .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                                    .forPath("/ledger/e-", entry)));
                    if (result.committed()) {
                      committed.incrementAndGet();
                    }
                  } catch (FencingException e) {
                    refused.incrementAndGet();
                  } catch (StoreUnavailableException e) {
                    // Partitioned or no quorum: outcome unknown, the ledger will tell.
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
              },
              "ledger-writer-" + node.id);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  private static Supplier<ZkLeaderTerm> realTerm(Node node) {
    return () -> (ZkLeaderTerm) node.election.currentTerm().orElse(null);
  }

  /** The ledger in commit order (sequence numbers), as (epoch, member) pairs. */
  private static List<String[]> ledger(CuratorFramework client) throws Exception {
    List<String> names = new ArrayList<>(client.getChildren().forPath("/ledger"));
    names.sort(null);
    List<String[]> entries = new ArrayList<>();
    for (String name : names) {
      entries.add(
          new String(client.getData().forPath("/ledger/" + name), StandardCharsets.UTF_8)
              .split(":"));
    }
    return entries;
  }

  /** Epochs never go back in commit order, and each epoch has exactly one writer. */
  private static void assertSingleWriterPerEpoch(List<String[]> entries) {
    Map<Long, String> writerOfEpoch = new HashMap<>();
    long previous = -1;
    for (String[] entry : entries) {
      long epoch = Long.parseLong(entry[0]);
      assertThat(epoch).as("epochs in commit order").isGreaterThanOrEqualTo(previous);
      previous = epoch;
      String writer = writerOfEpoch.putIfAbsent(epoch, entry[1]);
      assertThat(writer == null ? entry[1] : writer)
          .as("single writer of epoch %d", epoch)
          .isEqualTo(entry[1]);
    }
  }

  @Test
  void aPartitionedLeaderThatKeepsWritingIsFencedOutByZooKeeper() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        Node a = new Node("a", proxy.connectString())) {
      a.client.create().forPath("/ledger");
      await().atMost(Duration.ofSeconds(10)).until(a::leads);
      ZkLeaderTerm aTerm = a.term();
      try (Node b = new Node("b", server.getConnectString());
          Node c = new Node("c", server.getConnectString());
          // `a` never notices its demotion: it writes with the term it believes in, forever.
          LedgerWriter stubborn =
              new LedgerWriter(a, () -> Terms.stillBelieved(aTerm, a.election));
          LedgerWriter wb = new LedgerWriter(b, realTerm(b));
          LedgerWriter wc = new LedgerWriter(c, realTerm(c))) {
        await().atMost(Duration.ofSeconds(10)).until(() -> stubborn.committed.get() >= 5);

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.leads() || c.leads());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> wb.committed.get() + wc.committed.get() >= 20);
        proxy.heal();
        // After healing, every write of the stubborn old leader is refused by ZooKeeper.
        int refusedAtHeal = stubborn.refused.get();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> stubborn.refused.get() >= refusedAtHeal + 5);
        int committedByA = stubborn.committed.get();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> wb.committed.get() + wc.committed.get() >= 40);
        assertThat(stubborn.committed.get()).isEqualTo(committedByA);
        // It rejoined as a follower: the latch names someone else.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> a.election.leaderId() != null && !a.election.leaderId().equals("a"));
        assertThat(a.leads()).isFalse();
      }
      List<String[]> entries = ledger(a.client);
      assertSingleWriterPerEpoch(entries);
      assertThat(entries.stream().filter(e -> e[1].equals("a")))
          .allMatch(e -> Long.parseLong(e[0]) == aTerm.epoch());
      assertThat(entries.get(entries.size() - 1)[1]).isNotEqualTo("a");
    }
  }

  /** A "GC pause" between the leader's own check and its write, longer than the session. */
  @Test
  void aWriteFrozenPastTheSessionTimeoutFailsWhenItResumes() throws Exception {
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        Node a = new Node("a", proxy.connectString());
        Node b = new Node("b", server.getConnectString())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> a.leads() || b.leads());
      Node leader = a.leads() ? a : b;
      if (leader == b) {
        b.election.close();
        await().atMost(Duration.ofSeconds(10)).until(a::leads);
      }
      ZkLeaderTerm term = a.term();
      CountDownLatch paused = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      FencedTransactions.beforeSubmit(
          a.fenced,
          () -> {
            paused.countDown();
            try {
              resume.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      Thread writer =
          new Thread(
              () -> {
                try {
                  a.fenced.commit(
                      term, List.of(a.client.transactionOp().create().forPath("/paused-write")));
                } catch (FencingException | StoreUnavailableException expected) {
                  // Asserted below from ZooKeeper's state.
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      writer.start();
      assertThat(paused.await(5, TimeUnit.SECONDS)).isTrue();
      // The whole process stalls: no heartbeats reach the server until the session is gone.
      proxy.blackhole();
      try (Node c = new Node("c", server.getConnectString())) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> c.leads() || (b.election.currentTerm().isPresent()));
        proxy.heal();
        resume.countDown();
        writer.join(20_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(c.client.checkExists().forPath("/paused-write"))
            .as("the paused write never landed")
            .isNull();
      }
    }
  }

  @Test
  void losingQuorumStopsAllWritesAndRestoringItElectsOneLeader() throws Exception {
    try (TestingCluster cluster = new TestingCluster(3)) {
      cluster.start();
      List<Node> nodes = new ArrayList<>();
      try {
        for (String id : List.of("a", "b", "c")) {
          nodes.add(new Node(id, cluster.getConnectString()));
        }
        nodes.get(0).client.create().forPath("/ledger");
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> nodes.stream().filter(Node::leads).count() == 1);
        List<LedgerWriter> writers = new ArrayList<>();
        nodes.forEach(n -> writers.add(new LedgerWriter(n, realTerm(n))));
        try {
          List<InstanceSpec> servers = new ArrayList<>(cluster.getInstances());
          cluster.killServer(servers.get(0));
          // Two of three servers: leadership survives or moves, and writes go on.
          int before = total(writers);
          await().atMost(Duration.ofSeconds(30)).until(() -> total(writers) >= before + 20);

          cluster.killServer(servers.get(1));
          // One of three: no quorum. Once in-flight attempts settle, nothing more commits.
          await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().noneMatch(Node::leads));
          int atLoss = total(writers);
          await()
              .during(Duration.ofSeconds(3))
              .atMost(Duration.ofSeconds(5))
              .until(() -> total(writers) == atLoss);

          cluster.restartServer(servers.get(0));
          cluster.restartServer(servers.get(1));
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> nodes.stream().filter(Node::leads).count() == 1);
          await().atMost(Duration.ofSeconds(30)).until(() -> total(writers) >= atLoss + 20);
        } finally {
          for (LedgerWriter w : writers) {
            w.close();
          }
        }
        CuratorFramework reader = ZkClients.started(cluster.getConnectString(), Node.NAMESPACE);
        try {
          assertSingleWriterPerEpoch(ledger(reader));
        } finally {
          reader.close();
        }
      } finally {
        nodes.forEach(Node::close);
      }
    }
  }

  private static int total(List<LedgerWriter> writers) {
    return writers.stream().mapToInt(w -> w.committed.get()).sum();
  }

  @Test
  void aTermFromAnotherStoreIsRejectedUpFront() throws Exception {
    try (TestingServer server = new TestingServer(true);
        Node a = new Node("a", server.getConnectString())) {
      LeaderTerm foreign =
          new LeaderTerm() {
            @Override
            public long epoch() {
              return 1;
            }

            @Override
            public String memberId() {
              return "x";
            }

            @Override
            public java.time.Instant startedAt() {
              return java.time.Instant.EPOCH;
            }

            @Override
            public boolean isCurrent() {
              return true;
            }
          };
      assertThatThrownBy(() -> a.fenced.commit(foreign, List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
