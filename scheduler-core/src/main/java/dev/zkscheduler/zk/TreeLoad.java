package dev.zkscheduler.zk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read of the whole tree: listings level by level, then the leaves in multi-reads. Every
 * request is asynchronous and answered on the session's event thread; the next batch is sent from
 * the previous one's answer, so the event thread never blocks. A load that loses its connection
 * stops; the watch is registered again on reconnecting, and that starts a new load. Answers are
 * handed to the {@link WatchedTree} in the order they arrive ({@link WatchedTree#apply}).
 */
final class TreeLoad {

  private static final Logger log = LoggerFactory.getLogger(TreeLoad.class);

  private final long began = System.nanoTime();
  private final WatchedTree tree;
  private final boolean first;
  private final ZooKeeper zk;
  // Guarded by this.
  private final Deque<String> toRead = new ArrayDeque<>();
  private final int perBatch;
  private final int batchesInFlight;
  private int listings;
  private int inFlight;
  private int read;
  private boolean stopped;

  /** Stopped before it read everything (a lost connection, a newer load): it never completes. */
  private boolean abandoned;

  TreeLoad(WatchedTree tree, ZooKeeper zk) {
    this.tree = tree;
    this.first = !tree.isLoaded();
    this.zk = zk;
    this.perBatch = ReadBatches.readsPerBatch(ReadBatches.packetLimit(zk.getClientConfig()));
    this.batchesInFlight = ReadBatches.batchesInFlight(perBatch);
  }

  synchronized void start() {
    list(tree.root(), 1);
  }

  private void list(String parent, int level) {
    listings++;
    zk.getChildren(
        tree.absolute(parent),
        false,
        (rc, p, ctx, children) -> listed(parent, level, rc, children),
        null);
  }

  private synchronized void listed(String parent, int level, int rc, List<String> children) {
    listings--;
    KeeperException.Code code = KeeperException.Code.get(rc);
    if (code == KeeperException.Code.OK || code == KeeperException.Code.NONODE) {
      Set<String> names = code == KeeperException.Code.OK ? new HashSet<>(children) : Set.of();
      tree.apply(() -> tree.keepOnly(parent, names));
      for (String name : names) {
        String path = parent + "/" + name;
        if (stopped) {
          break;
        } else if (level < tree.depth()) {
          list(path, level + 1);
        } else if (tree.mustRead(path)) {
          toRead.add(path);
        }
      }
    } else if (lostConnection(code)) {
      stop("listing " + parent + " failed: " + code);
    } else {
      // Not this connection's fault (no permission, say): what is known under it stays, and the
      // rest of the tree is still loaded.
      log.warn(
          "watch on {}: {} cannot be listed and is left as it was: {}", tree.root(), parent, code);
    }
    pump();
  }

  /** Sends batches while there is room; hands over the end of the load once all answered. */
  private void pump() {
    if (!stopped && !tree.isOpen()) {
      stop("the tree is closed");
    }
    while (!stopped && inFlight < batchesInFlight && !toRead.isEmpty()) {
      List<String> batch = new ArrayList<>(perBatch);
      List<Op> ops = new ArrayList<>(perBatch);
      while (batch.size() < perBatch && !toRead.isEmpty()) {
        String path = toRead.poll();
        batch.add(path);
        ops.add(Op.getData(tree.absolute(path)));
      }
      inFlight++;
      zk.multi(ops, (rc, p, ctx, results) -> answered(batch, rc, results), null);
    }
    if (!stopped && listings == 0 && inFlight == 0 && toRead.isEmpty()) {
      stopped = true;
      int count = read;
      long millis = (System.nanoTime() - began) / 1_000_000;
      tree.apply(() -> tree.loadComplete(this, count, millis, first));
    }
  }

  /** Whether it stopped before reading everything; a load that completed was not abandoned. */
  synchronized boolean isAbandoned() {
    return abandoned;
  }

  private synchronized void answered(List<String> batch, int rc, List<OpResult> results) {
    inFlight--;
    if (results == null || results.size() != batch.size()) {
      // A multi-read fails as a whole only when its answer does not come: the connection.
      stop("reading " + batch.size() + " leaves failed: " + KeeperException.Code.get(rc));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      String path = batch.get(i);
      OpResult result = results.get(i);
      if (result instanceof OpResult.GetDataResult data) {
        read++;
        Stat stat = data.getStat();
        byte[] bytes = data.getData() == null ? WatchedTree.EMPTY : data.getData();
        tree.apply(() -> tree.put(path, bytes, stat.getVersion(), stat.getCzxid()));
      } else if (result instanceof OpResult.ErrorResult error
          && error.getErr() == KeeperException.Code.NONODE.intValue()) {
        tree.apply(() -> tree.remove(path));
      } else {
        // One leaf that cannot be read (no permission, say) must not stop the others.
        int err = result instanceof OpResult.ErrorResult e ? e.getErr() : rc;
        log.warn(
            "watch on {}: {} cannot be read and is left as it was: {}",
            tree.root(),
            path,
            KeeperException.Code.get(err));
      }
    }
    pump();
  }

  /**
   * Sends nothing more and never reports the end; answers still in flight are applied (they are in
   * order like any other).
   */
  synchronized void stop(String why) {
    if (!stopped) {
      stopped = true;
      abandoned = true;
      log.info("watch on {}: a load stopped: {}", tree.root(), why);
    }
  }

  private static boolean lostConnection(KeeperException.Code code) {
    return code == KeeperException.Code.CONNECTIONLOSS
        || code == KeeperException.Code.SESSIONEXPIRED
        || code == KeeperException.Code.SESSIONMOVED
        || code == KeeperException.Code.OPERATIONTIMEOUT;
  }
}
