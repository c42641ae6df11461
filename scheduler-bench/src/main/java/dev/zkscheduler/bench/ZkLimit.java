package dev.zkscheduler.bench;

import dev.zkscheduler.zk.ReadBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * ZooKeeper's own limit for the scheduler's write shape: a multi-op that checks the writer's latch
 * node and the epoch's version, then creates a ~300-byte znode — with one client waiting for each
 * result, with pipelined asynchronous multis (256 in flight), and with 100 creates per fenced multi
 * (how the scheduler batches fires).
 */
final class ZkLimit {

  record Result(
      double syncPerSecond,
      double asyncPerSecond,
      double batchedCreatesPerSecond,
      double readsPerSecond,
      double batchedReadsPerSecond) {}

  private static final byte[] PAYLOAD = new byte[300];

  static Result measure(String connectString, String namespace, Duration each) throws Exception {
    try (CuratorFramework client = Ensemble.client(connectString, namespace)) {
      String latch =
          client
              .create()
              .creatingParentsIfNeeded()
              .withMode(CreateMode.EPHEMERAL)
              .forPath("/latch");
      client.create().forPath("/epoch");
      Stat epoch = client.checkExists().forPath("/epoch");
      client.create().forPath("/sync");
      client.create().forPath("/async");
      client.create().forPath("/batched");

      long n = 0;
      long end = System.nanoTime() + each.toNanos();
      long start = System.nanoTime();
      while (System.nanoTime() < end) {
        client.transaction().forOperations(fenced(client, latch, epoch, "/sync/w" + n++));
      }
      double sync = n / seconds(start);

      Semaphore inFlight = new Semaphore(256);
      AtomicLong done = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      n = 0;
      start = System.nanoTime();
      end = start + each.toNanos();
      while (System.nanoTime() < end) {
        inFlight.acquire();
        client
            .transaction()
            .inBackground(
                (c, event) -> {
                  if (event.getResultCode() == 0) {
                    done.incrementAndGet();
                  } else {
                    failed.incrementAndGet();
                  }
                  inFlight.release();
                })
            .forOperations(fenced(client, latch, epoch, "/async/w" + n++));
      }
      inFlight.acquire(256);
      double async = done.get() / seconds(start);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " pipelined multis failed");
      }

      n = 0;
      start = System.nanoTime();
      end = start + each.toNanos();
      while (System.nanoTime() < end) {
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(client.transactionOp().check().forPath(latch));
        ops.add(client.transactionOp().check().withVersion(epoch.getVersion()).forPath("/epoch"));
        for (int i = 0; i < 100; i++) {
          ops.add(client.transactionOp().create().forPath("/batched/w" + n++, PAYLOAD));
        }
        client.transaction().forOperations(ops);
      }
      double batched = n / seconds(start);

      // Reading back what the pipelined multis wrote: multi-reads first, then one request per
      // znode (which so reads a server and a client that are already warm).
      ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
      List<String> written = new ArrayList<>();
      for (String child : client.getChildren().forPath("/async")) {
        written.add("/" + namespace + "/async/" + child);
      }
      AtomicLong unread = new AtomicLong();
      Semaphore batches = new Semaphore(8);
      start = System.nanoTime();
      for (int from = 0; from < written.size(); from += ReadBatches.READS_PER_BATCH) {
        List<Op> ops = new ArrayList<>();
        for (String path :
            written.subList(from, Math.min(written.size(), from + ReadBatches.READS_PER_BATCH))) {
          ops.add(Op.getData(path));
        }
        batches.acquire();
        zk.multi(
            ops,
            (rc, p, ctx, results) -> {
              if (rc != 0) {
                unread.addAndGet(ops.size());
              }
              batches.release();
            },
            null);
      }
      batches.acquire(8);
      double batchedReads = written.size() / seconds(start);
      Semaphore reading = new Semaphore(256);
      start = System.nanoTime();
      for (String path : written) {
        reading.acquire();
        zk.getData(
            path,
            false,
            (rc, p, ctx, data, stat) -> {
              if (rc != 0) {
                unread.incrementAndGet();
              }
              reading.release();
            },
            null);
      }
      reading.acquire(256);
      double reads = written.size() / seconds(start);
      if (unread.get() > 0) {
        throw new IllegalStateException(unread.get() + " reads failed");
      }
      return new Result(sync, async, batched, reads, batchedReads);
    }
  }

  private static List<CuratorOp> fenced(
      CuratorFramework client, String latch, Stat epoch, String path) throws Exception {
    return List.of(
        client.transactionOp().check().forPath(latch),
        client.transactionOp().check().withVersion(epoch.getVersion()).forPath("/epoch"),
        client.transactionOp().create().forPath(path, PAYLOAD));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
