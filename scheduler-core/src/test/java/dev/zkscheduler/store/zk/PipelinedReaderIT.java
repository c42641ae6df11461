package dev.zkscheduler.store.zk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.testing.ServerRequests;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ReadBatches;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** Bulk reads against a real server: batched, complete, and never over the client's limit. */
class PipelinedReaderIT {

  @Test
  void manyZnodesAreReadInBatchesNotOneRequestEach() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "reads")) {
      List<String> paths = new ArrayList<>();
      List<CuratorOp> creates = new ArrayList<>();
      for (int i = 0; i < 320; i++) {
        String path = "/n/" + i;
        paths.add(path);
        creates.add(client.transactionOp().create().forPath(path, bytes("value " + i)));
      }
      client.create().forPath("/n");
      client.transaction().forOperations(creates);
      PipelinedReader reader = new PipelinedReader(client);

      long before = ServerRequests.received(server);
      Map<String, Versioned<String>> read = reader.readAll(paths, PipelinedReaderIT::text);
      long requests = ServerRequests.received(server) - before;

      assertThat(read).hasSize(320);
      assertThat(read.get("/n/7").value()).isEqualTo("value 7");
      // 320 znodes in batches of 32 are 10 requests; one read each would be 320.
      assertThat(requests).isBetween(10L, 14L);
    }
  }

  @Test
  void missingZnodesAreLeftOutAndTheOthersReadWithTheirVersionAndCreation() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "reads")) {
      client.create().creatingParentsIfNeeded().forPath("/a/one", bytes("1"));
      client.create().forPath("/a/two", bytes("2"));
      client.setData().forPath("/a/two", bytes("2b"));
      Stat two = client.checkExists().forPath("/a/two");
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        paths.add("/a/missing-" + i); // spread over both batches
      }
      paths.add(3, "/a/one");
      paths.add("/a/two");

      Map<String, Versioned<String>> read =
          new PipelinedReader(client).readAll(paths, PipelinedReaderIT::text);

      assertThat(read).containsOnlyKeys("/a/one", "/a/two");
      assertThat(read.get("/a/two").value()).isEqualTo("2b");
      assertThat(read.get("/a/two").version()).isEqualTo(1);
      assertThat(read.get("/a/two").created()).isEqualTo(two.getCzxid());
    }
  }

  @Test
  void aBatchOfTheLargestZnodesFitsTheClientsPacketLimit() throws Exception {
    // A limit that fits two of the largest znodes per response, not three.
    int limit = ReadBatches.BATCH_PACKET_BYTES / ReadBatches.READS_PER_BATCH * 2 + 64 * 1024;
    assertThat(ReadBatches.readsPerBatch(limit)).isEqualTo(2);
    ZKClientConfig config = new ZKClientConfig();
    config.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(limit));
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client =
            CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .sessionTimeoutMs(ZkClients.SESSION_TIMEOUT_MS)
                .connectionTimeoutMs(ZkClients.CONNECTION_TIMEOUT_MS)
                .retryPolicy(new RetryNTimes(3, 200))
                .zkClientConfig(config)
                .build()) {
      List<ConnectionState> changes = new CopyOnWriteArrayList<>();
      client.getConnectionStateListenable().addListener((c, state) -> changes.add(state));
      client.start();
      client.blockUntilConnected();
      client.create().forPath("/big");
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        byte[] data = new byte[1_000_000];
        Arrays.fill(data, (byte) ('a' + i));
        client.create().forPath("/big/" + i, data);
        paths.add("/big/" + i);
      }

      Map<String, PipelinedReader.Node> read = new PipelinedReader(client).readNodes(paths);

      assertThat(read).hasSize(5);
      assertThat(read.get("/big/4").data()).hasSize(1_000_000).startsWith((byte) 'e');
      // Three of them in one response (5 MB would be one batch of 32) would have cut the
      // connection.
      assertThat(changes).containsExactly(ConnectionState.CONNECTED);
    }
  }

  private static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
