package dev.zkscheduler.store.zk;

import dev.zkscheduler.zk.ReadBatches;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full read of every job definition for a {@link DefinitionWatcher}, after its watch was
 * (re)registered: the {@value ZkLayout#BUCKETS} bucket listings, then every listed job in
 * multi-reads ({@link ReadBatches}), at most {@link #BATCHES_IN_FLIGHT} at a time.
 *
 * <p>Every request is asynchronous and answered on the session's event thread, in the order
 * ZooKeeper answered it; each answer is handed to the watcher in that order ({@link
 * DefinitionWatcher#apply}). Nothing here blocks the event thread: the next batch is sent from the
 * answer of the previous one. A load that loses its connection stops; the watch is registered again
 * on reconnecting, and that starts a new load.
 */
final class DefinitionLoad {

  private static final Logger log = LoggerFactory.getLogger(DefinitionLoad.class);

  private static final int BATCHES_IN_FLIGHT = 8;

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final DefinitionWatcher watcher;
  private final long began = System.nanoTime();
  private final boolean first;

  // Guarded by this; touched from the event thread, and from whoever starts the load.
  private final Deque<String> toRead = new ArrayDeque<>();
  private ZooKeeper zk;
  private int perBatch = 1;
  private int listingsLeft = ZkLayout.BUCKETS;
  private int inFlight;
  private int read;
  private boolean stopped;

  DefinitionLoad(CuratorFramework client, ZkLayout layout, DefinitionWatcher watcher) {
    this.client = client;
    this.layout = layout;
    this.watcher = watcher;
    this.first = !watcher.isInitialized();
  }

  synchronized void start() {
    try {
      zk = client.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      stop("no ZooKeeper handle: " + e);
      return;
    }
    perBatch = ReadBatches.readsPerBatch(ReadBatches.packetLimit(zk.getClientConfig()));
    for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
      String path = layout.jobBucket(bucket);
      zk.getChildren(
          watcher.absolute(path),
          false,
          (rc, p, ctx, children) -> listed(path, rc, children),
          null);
    }
  }

  private synchronized void listed(String bucket, int rc, List<String> children) {
    listingsLeft--;
    KeeperException.Code code = KeeperException.Code.get(rc);
    if (code == KeeperException.Code.OK) {
      List<String> names = List.copyOf(children);
      watcher.apply(() -> watcher.keepOnly(bucket, names));
      for (String name : names) {
        toRead.add(bucket + "/" + name);
      }
    } else if (code == KeeperException.Code.NONODE) {
      watcher.apply(() -> watcher.keepOnly(bucket, List.of()));
    } else {
      stop("listing " + bucket + " failed: " + code);
    }
    pump();
  }

  /** Sends batches while there is room; hands over the end of the load once all are answered. */
  private void pump() {
    if (!stopped && !watcher.isOpen()) {
      stop("the watch is closed");
    }
    while (!stopped && inFlight < BATCHES_IN_FLIGHT && !toRead.isEmpty()) {
      List<String> batch = new ArrayList<>(perBatch);
      List<Op> reads = new ArrayList<>(perBatch);
      while (batch.size() < perBatch && !toRead.isEmpty()) {
        String path = toRead.poll();
        batch.add(path);
        reads.add(Op.getData(watcher.absolute(path)));
      }
      inFlight++;
      zk.multi(reads, (rc, p, ctx, results) -> answered(batch, rc, results), null);
    }
    if (!stopped && listingsLeft == 0 && inFlight == 0 && toRead.isEmpty()) {
      stopped = true;
      int jobs = read;
      long millis = (System.nanoTime() - began) / 1_000_000;
      watcher.apply(() -> watcher.loaded(jobs, millis, first));
    }
  }

  private synchronized void answered(List<String> batch, int rc, List<OpResult> results) {
    inFlight--;
    if (results == null || results.size() != batch.size()) {
      stop("reading " + batch.size() + " jobs failed: " + KeeperException.Code.get(rc));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      String path = batch.get(i);
      OpResult result = results.get(i);
      if (result instanceof OpResult.GetDataResult data) {
        read++;
        watcher.apply(() -> watcher.put(path, data.getData(), data.getStat()));
      } else if (result instanceof OpResult.ErrorResult error
          && error.getErr() == KeeperException.Code.NONODE.intValue()) {
        watcher.apply(() -> watcher.remove(path));
      } else {
        stop("reading " + path + " failed: " + result);
        return;
      }
    }
    pump();
  }

  /**
   * Sends nothing more and never reports the end; answers still in flight are applied (they are in
   * order like any other). A connection loss ends every load in flight, and the load after
   * reconnecting replaces it.
   */
  synchronized void stop(String why) {
    if (!stopped) {
      stopped = true;
      log.info("definition watch: a load stopped: {}", why);
    }
  }
}
