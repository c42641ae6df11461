package dev.zkscheduler.store.zk;

import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.zk.ReadBatches;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Reads znodes and decodes them. Many znodes are read with pipelined asynchronous multi-reads
 * ({@link ReadBatches}): a few round trips' latency for the lot instead of one per znode, and one
 * packet per batch instead of one per znode; listings and creates are pipelined one request each.
 * Records are decoded on the caller's thread, so that a corrupt one fails the caller instead of a
 * ZooKeeper event thread. Thread-safe.
 */
final class PipelinedReader {

  /** At most this many requests in flight: enough to keep the connection busy, bounded memory. */
  private static final int IN_FLIGHT = 512;

  /** A bulk read cut by a lost connection is read again this many times in all. */
  private static final int READ_ATTEMPTS = 3;

  private final CuratorFramework client;

  PipelinedReader(CuratorFramework client) {
    this.client = client;
  }

  /** Starts one asynchronous request for {@code path}, answering to {@code callback}. */
  @FunctionalInterface
  interface AsyncCall {
    void start(String path, BackgroundCallback callback) throws Exception;
  }

  /** The znode at {@code path}, decoded; empty when there is none. */
  <T> Optional<Versioned<T>> read(String path, Function<byte[], T> decode) throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    return Optional.of(new Versioned<>(decode.apply(data), stat.getVersion(), stat.getCzxid()));
  }

  /** The znodes at {@code paths}, decoded, by path; missing znodes are left out. */
  <T> Map<String, Versioned<T>> readAll(Collection<String> paths, Function<byte[], T> decode)
      throws Exception {
    Map<String, Versioned<T>> decoded = new HashMap<>();
    readNodes(paths)
        .forEach(
            (path, node) ->
                decoded.put(
                    path,
                    new Versioned<>(
                        decode.apply(node.data()),
                        node.stat().getVersion(),
                        node.stat().getCzxid())));
    return decoded;
  }

  /** A znode's data and stat, as read. */
  record Node(byte[] data, Stat stat) {}

  /**
   * The znodes at {@code paths}, undecoded, by path; missing znodes are left out. Read in
   * multi-reads of {@link ReadBatches#readsPerBatch} znodes, {@link ReadBatches#batchesInFlight} of
   * them in flight (see {@link ReadBatches} for why and how large).
   */
  Map<String, Node> readNodes(Collection<String> paths) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return readNodesOnce(paths);
      } catch (KeeperException.ConnectionLossException lost) {
        // As Curator's own reads do: wait for the connection and read again (reads are safe to
        // repeat), a few times, before the caller hears that the store is unavailable.
        if (attempt == READ_ATTEMPTS
            || !client.getZookeeperClient().blockUntilConnectedOrTimedOut()) {
          throw lost;
        }
      }
    }
  }

  private Map<String, Node> readNodesOnce(Collection<String> paths) throws Exception {
    ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
    int perBatch = ReadBatches.readsPerBatch(ReadBatches.packetLimit(zk.getClientConfig()));
    Semaphore slots = new Semaphore(ReadBatches.batchesInFlight(perBatch));
    String namespace = client.getNamespace();
    List<String> all = List.copyOf(paths);
    Map<String, Node> out = new ConcurrentHashMap<>();
    CountDownLatch finished = new CountDownLatch((all.size() + perBatch - 1) / perBatch);
    AtomicReference<Exception> failure = new AtomicReference<>();
    for (int from = 0; from < all.size() && failure.get() == null; from += perBatch) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + perBatch));
      List<Op> reads = new ArrayList<>(batch.size());
      for (String path : batch) {
        reads.add(Op.getData(ZKPaths.fixForNamespace(namespace, path)));
      }
      slots.acquire();
      zk.multi(
          reads,
          (rc, unused, ctx, results) -> {
            try {
              Exception failed = collect(batch, rc, results, out);
              if (failed != null) {
                failure.compareAndSet(null, failed);
              }
            } finally {
              slots.release();
              finished.countDown();
            }
          },
          null);
    }
    awaitAll(finished, failure);
    return out;
  }

  /**
   * Puts a multi-read's results in {@code out}; the error to throw, if any. The reads of a multi
   * answer one by one: a missing znode is an error result of its own, and the others are read.
   */
  private static Exception collect(
      List<String> batch, int rc, List<OpResult> results, Map<String, Node> out) {
    if (results == null || results.size() != batch.size()) {
      return failure(rc, batch.get(0));
    }
    for (int i = 0; i < batch.size(); i++) {
      OpResult result = results.get(i);
      if (result instanceof OpResult.GetDataResult read) {
        out.put(batch.get(i), new Node(read.getData(), read.getStat()));
      } else if (result instanceof OpResult.ErrorResult error
          && error.getErr() != KeeperException.Code.NONODE.intValue()) {
        return failure(error.getErr(), batch.get(i));
      }
    }
    return null;
  }

  /** The exception for result code {@code rc}; never throws itself (an unknown code included). */
  private static Exception failure(int rc, String path) {
    KeeperException.Code code = KeeperException.Code.get(rc);
    if (code == null || code == KeeperException.Code.OK) {
      return new StoreUnavailableException("a multi-read of " + path + " failed: code " + rc, null);
    }
    return KeeperException.create(code, path);
  }

  private void awaitAll(CountDownLatch finished, AtomicReference<Exception> failure)
      throws Exception {
    if (failure.get() == null
        && !finished.await(
            client.getZookeeperClient().getConnectionTimeoutMs() * 10L, TimeUnit.MILLISECONDS)) {
      throw new StoreUnavailableException("ZooKeeper reads did not complete in time", null);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /**
   * The children of each of the {@value ZkLayout#BUCKETS} buckets named by {@code bucketPath}, by
   * bucket path: each bucket holds about 1/256 of the children, so no listing comes near {@code
   * jute.maxbuffer}.
   */
  Map<String, List<String>> listBuckets(IntFunction<String> bucketPath) throws Exception {
    List<String> buckets = new ArrayList<>(ZkLayout.BUCKETS);
    for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
      buckets.add(bucketPath.apply(bucket));
    }
    return pipelined(
        buckets,
        (path, callback) -> client.getChildren().inBackground(callback).forPath(path),
        CuratorEvent::getChildren,
        List.of());
  }

  /**
   * Runs {@code request} for every path, at most {@link #IN_FLIGHT} in flight; a result per path,
   * {@code ifMissing} for a missing znode (left out when null), the first other error thrown.
   */
  <T> Map<String, T> pipelined(
      Collection<String> paths, AsyncCall request, Function<CuratorEvent, T> value, T ifMissing)
      throws Exception {
    Map<String, T> out = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(IN_FLIGHT);
    CountDownLatch finished = new CountDownLatch(paths.size());
    AtomicReference<Exception> failure = new AtomicReference<>();
    for (String path : paths) {
      if (failure.get() != null) {
        break;
      }
      slots.acquire();
      request.start(
          path,
          (c, event) -> {
            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
            // NODEEXISTS: a create of a parent that is there already (reads never see it).
            if (code == KeeperException.Code.OK || code == KeeperException.Code.NODEEXISTS) {
              out.put(path, value.apply(event));
            } else if (code == KeeperException.Code.NONODE) {
              if (ifMissing != null) {
                out.put(path, ifMissing);
              }
            } else {
              failure.compareAndSet(null, KeeperException.create(code, path));
            }
            slots.release();
            finished.countDown();
          });
    }
    awaitAll(finished, failure);
    return out;
  }
}
