package dev.zkscheduler.store.zk;

import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.Versioned;
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
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Reads znodes and decodes them. Many znodes are read with pipelined asynchronous requests: one
 * round trip's latency for the lot instead of one per znode. Records are decoded on the caller's
 * thread, so that a corrupt one fails the caller instead of a ZooKeeper event thread. Thread-safe.
 */
final class PipelinedReader {

  /** At most this many requests in flight: enough to keep the connection busy, bounded memory. */
  private static final int IN_FLIGHT = 512;

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
    Map<String, Versioned<byte[]>> raw =
        pipelined(
            paths,
            (path, callback) -> client.getData().inBackground(callback).forPath(path),
            event ->
                new Versioned<>(
                    event.getData(), event.getStat().getVersion(), event.getStat().getCzxid()),
            null);
    Map<String, Versioned<T>> decoded = new HashMap<>();
    raw.forEach(
        (path, v) ->
            decoded.put(path, new Versioned<>(decode.apply(v.value()), v.version(), v.created())));
    return decoded;
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
    if (failure.get() == null
        && !finished.await(
            client.getZookeeperClient().getConnectionTimeoutMs() * 10L, TimeUnit.MILLISECONDS)) {
      throw new StoreUnavailableException("ZooKeeper reads did not complete in time", null);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return out;
  }
}
