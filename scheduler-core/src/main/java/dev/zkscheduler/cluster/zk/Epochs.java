package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch znode, shared by every way of leading: its data version is the fencing token of the
 * newest term. Taking a term is one multi-op that checks the taker's own ephemeral node and sets
 * the epoch at the version just read (docs/design.md, section 2).
 */
final class Epochs {

  private static final Logger log = LoggerFactory.getLogger(Epochs.class);

  private Epochs() {}

  /** Persistent with persistent parents (a container parent could vanish); created once. */
  static void ensure(CuratorFramework client, ZkLayout layout) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(layout.epoch(), new byte[0]);
      log.info("created the epoch znode {}", layout.epoch());
    } catch (KeeperException.NodeExistsException expected) {
      // The normal case: another node created it first.
    }
  }

  /**
   * Takes a term: after a {@code sync()}, checks {@code ownPath} and bumps the epoch in one multi.
   *
   * @param expectedVersion the epoch the new term must follow, or -1 for whatever it is now
   * @return the new epoch (the epoch znode's new data version), and this node's clock measured
   *     against the time ZooKeeper stamped on the write
   * @throws KeeperException.NoNodeException if {@code ownPath} is gone (or the epoch znode is)
   * @throws KeeperException.BadVersionException if another node took a term in between, or the
   *     epoch is not {@code expectedVersion}
   */
  static Taken take(
      CuratorFramework client,
      ZkLayout layout,
      String ownPath,
      String memberId,
      Clock clock,
      int expectedVersion)
      throws Exception {
    awaitSync(client, layout);
    Stat stat = client.checkExists().forPath(layout.epoch());
    if (stat == null) {
      log.error(
          "epoch znode {} is missing; refusing to lead. It must never be deleted.", layout.epoch());
      throw new KeeperException.NoNodeException(layout.epoch());
    }
    if (expectedVersion >= 0 && stat.getVersion() != expectedVersion) {
      throw new KeeperException.BadVersionException(layout.epoch());
    }
    Instant now = clock.instant();
    byte[] data = (memberId + "@" + now).getBytes(StandardCharsets.UTF_8);
    // Read just around the write, after the sync, so the round trip is this write's alone.
    long before = now.toEpochMilli();
    List<CuratorTransactionResult> results =
        client
            .transaction()
            .forOperations(
                client.transactionOp().check().forPath(ownPath),
                client
                    .transactionOp()
                    .setData()
                    .withVersion(stat.getVersion())
                    .forPath(layout.epoch(), data));
    long after = clock.millis();
    ClockSkew.Sample skew =
        results.stream()
            .filter(r -> r.getType() == OperationType.SET_DATA && r.getResultStat() != null)
            .findFirst()
            .map(r -> ClockSkew.Sample.of(before, after, r.getResultStat().getMtime()))
            .orElse(null);
    return new Taken(stat.getVersion() + 1, skew);
  }

  /**
   * A term taken.
   *
   * @param skew null if ZooKeeper returned no stat for the epoch write
   */
  record Taken(int epoch, ClockSkew.Sample skew) {}

  /** Who took the newest term and when ({@code member@instant}), as the epoch znode says. */
  static String lastTaker(CuratorFramework client, ZkLayout layout) {
    try {
      byte[] data = client.getData().forPath(layout.epoch());
      return data == null || data.length == 0
          ? "unknown"
          : new String(data, StandardCharsets.UTF_8);
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  /** The epoch znode's current version, or -1 before the first node created it. */
  static long current(CuratorFramework client, ZkLayout layout) throws Exception {
    Stat stat = client.checkExists().forPath(layout.epoch());
    return stat == null ? -1 : stat.getVersion();
  }

  /**
   * Reads after a sync see every write committed before it (docs/design.md, "A new leader's first
   * steps"). The sync waits behind every request already queued on the connection — a node that
   * just started with 100,000 job definitions has that many reads of its definition watch ahead of
   * it (scheduler-bench) — so it is given the session timeout, not the connection timeout; the
   * caller retries if it still fails.
   */
  private static void awaitSync(CuratorFramework client, ZkLayout layout) throws Exception {
    CountDownLatch synced = new CountDownLatch(1);
    AtomicInteger result = new AtomicInteger();
    client
        .sync()
        .inBackground(
            (c, event) -> {
              result.set(event.getResultCode());
              synced.countDown();
            })
        .forPath(layout.epoch());
    long waitMillis =
        Math.max(
            client.getZookeeperClient().getConnectionTimeoutMs(),
            client.getZookeeperClient().getZooKeeper().getSessionTimeout());
    if (!synced.await(waitMillis, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "sync() did not complete within "
              + waitMillis
              + " ms (ZooKeeper unreachable, or the connection busy)");
    }
    if (result.get() != KeeperException.Code.OK.intValue()) {
      // Reads after a failed sync may be stale: no term on them.
      throw new IllegalStateException("sync() failed: " + KeeperException.Code.get(result.get()));
    }
  }
}
