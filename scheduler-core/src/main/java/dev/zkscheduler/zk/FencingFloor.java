package dev.zkscheduler.zk;

import com.google.common.base.Preconditions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The fencing floor, and the one way to raise it and the leader epoch after ZooKeeper's data went
 * back in time: restored from a backup (zxids and versions go back to the snapshot's) or copied
 * into a new ensemble (zxids start anew, versions at 0).
 *
 * <p>The fencing token of an attempt is {@link #token floor + czxid} of its assignment znode. The
 * floor is the number in {@link ZkLayout#fencingFloor()}, 0 while that znode is absent, and only
 * ever grows. A worker reads it once per ZooKeeper session, when it registers, so it is raised only
 * while no node is registered: {@link #raise} refuses otherwise, and every node started afterwards
 * has a new session that reads the raised floor.
 *
 * <p>The leader epoch is the data version of {@link ZkLayout#epoch()}. {@link #raise} sets that
 * znode again until its version is past the one asked for, so the epoch stays the plain version
 * every fenced write checks, and the next term's epoch exceeds every epoch recorded before.
 *
 * <p>Stateless and thread-safe; every method does blocking ZooKeeper calls.
 */
public final class FencingFloor {

  /**
   * The largest floor accepted: a token is the floor plus a zxid (itself below 2^63), and the sum
   * must not overflow a {@code long}.
   */
  public static final long MAX_FLOOR = Long.MAX_VALUE / 2;

  /**
   * The largest epoch {@link #raise} moves past. Each step is one ZooKeeper write (epochs count
   * leader terms: a million is far beyond any cluster's life), and a znode version is an {@code
   * int}.
   */
  public static final int MAX_EPOCH = 1_000_000;

  /** Epoch writes in flight at once while raising it. */
  private static final int IN_FLIGHT = 500;

  private static final long BATCH_TIMEOUT_SECONDS = 60;

  private FencingFloor() {}

  /**
   * The fencing token of an assignment created at {@code czxid} under {@code floor}.
   *
   * @throws IllegalArgumentException if either is negative or the floor is above {@link #MAX_FLOOR}
   */
  public static long token(long floor, long czxid) {
    Preconditions.checkArgument(
        floor >= 0 && floor <= MAX_FLOOR, "fencing floor %s out of range", floor);
    Preconditions.checkArgument(czxid >= 0, "czxid %s is negative", czxid);
    return Math.addExact(floor, czxid);
  }

  /**
   * The current floor: 0 if the znode is absent.
   *
   * @throws IllegalStateException if the znode holds anything but a number from 0 to {@link
   *     #MAX_FLOOR} (no token is computed on a floor nobody can read)
   */
  public static long read(CuratorFramework client, ZkLayout layout) throws Exception {
    try {
      return decode(client.getData().forPath(layout.fencingFloor()), layout.fencingFloor());
    } catch (KeeperException.NoNodeException absent) {
      return 0;
    }
  }

  static long decode(byte[] data, String path) {
    String text = data == null ? "" : new String(data, StandardCharsets.UTF_8).trim();
    long floor;
    try {
      floor = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(path + " holds '" + text + "', not a fencing floor", e);
    }
    if (floor < 0 || floor > MAX_FLOOR) {
      throw new IllegalStateException(
          path + " holds " + floor + ", outside 0.." + MAX_FLOOR + ": not a fencing floor");
    }
    return floor;
  }

  /**
   * What the cluster's fencing looks like now.
   *
   * @param floor the fencing floor (0 when absent)
   * @param epoch the epoch znode's version, the newest term's epoch; -1 if it is absent
   * @param assignmentsZxid the highest zxid that created or deleted an assignment or a worker's
   *     assignments parent: no assignment was created later, so every token handed out so far is at
   *     most {@link #tokensAtMost()}
   * @param registered the members and workers registered now (ephemeral, so a running cluster)
   */
  public record Snapshot(long floor, long epoch, long assignmentsZxid, List<String> registered) {
    public Snapshot {
      registered = List.copyOf(registered);
    }

    /** An upper bound of every token handed out so far in this ensemble. */
    public long tokensAtMost() {
      return Math.addExact(floor, assignmentsZxid);
    }
  }

  /** The state before and after {@link #raise}; equal when nothing needed raising. */
  public record Raised(Snapshot before, Snapshot after) {}

  /**
   * Reads the floor, the epoch, the assignments' last zxid and who is registered. Writes nothing.
   */
  public static Snapshot show(CuratorFramework client, ZkLayout layout) throws Exception {
    Stat epoch = client.checkExists().forPath(layout.epoch());
    return new Snapshot(
        read(client, layout),
        epoch == null ? -1 : epoch.getVersion(),
        assignmentsZxid(client, layout),
        registered(client, layout));
  }

  /**
   * Raises the floor to at least {@code tokensAbove}, so that every token handed out from now on is
   * larger than it (a czxid is at least 1), and, when {@code epochAbove} is not negative, the epoch
   * znode's version past {@code epochAbove}, so that the next term's epoch is larger still. Neither
   * is ever lowered: running it again with the same numbers writes nothing.
   *
   * @param tokensAbove 0 to {@link #MAX_FLOOR}
   * @param epochAbove -1 to leave the epoch alone, else 0 to {@link #MAX_EPOCH}
   * @throws IllegalArgumentException on numbers out of range; nothing is written
   * @throws IllegalStateException if a member or worker is registered (the cluster must be stopped;
   *     nothing is written), or one registered while this ran (it must be restarted)
   */
  public static Raised raise(
      CuratorFramework client, ZkLayout layout, long tokensAbove, int epochAbove) throws Exception {
    Preconditions.checkArgument(
        tokensAbove >= 0 && tokensAbove <= MAX_FLOOR,
        "the token to exceed must be from 0 to %s, not %s",
        MAX_FLOOR,
        tokensAbove);
    Preconditions.checkArgument(
        epochAbove >= -1 && epochAbove <= MAX_EPOCH,
        "the epoch to exceed must be from 0 to %s, not %s",
        MAX_EPOCH,
        epochAbove);
    Snapshot before = show(client, layout);
    if (!before.registered().isEmpty()) {
      throw new IllegalStateException(
          "nodes are registered: "
              + before.registered()
              + "; stop every node of the cluster first (nothing was written)");
    }
    raiseFloor(client, layout, tokensAbove);
    if (epochAbove >= 0) {
      raiseEpoch(client, layout, epochAbove);
    }
    Snapshot after = show(client, layout);
    if (!after.registered().isEmpty()) {
      throw new IllegalStateException(
          "nodes registered while the floor was raised: "
              + after.registered()
              + "; the floor is "
              + after.floor()
              + " now, restart those nodes so that they read it");
    }
    return new Raised(before, after);
  }

  private static void raiseFloor(CuratorFramework client, ZkLayout layout, long atLeast)
      throws Exception {
    String path = layout.fencingFloor();
    byte[] data = Long.toString(atLeast).getBytes(StandardCharsets.UTF_8);
    while (true) {
      Stat stat = new Stat();
      try {
        long current = decode(client.getData().storingStatIn(stat).forPath(path), path);
        if (current >= atLeast) {
          return;
        }
        client.setData().withVersion(stat.getVersion()).forPath(path, data);
        return;
      } catch (KeeperException.NoNodeException absent) {
        if (atLeast == 0) {
          return; // absent is 0 already
        }
        try {
          client.create().creatingParentsIfNeeded().forPath(path, data);
          return;
        } catch (KeeperException.NodeExistsException raced) {
          // Another run of this command: read what it wrote.
        }
      } catch (KeeperException.BadVersionException raced) {
        // Another run of this command: read what it wrote.
      }
    }
  }

  /**
   * Sets the epoch znode until its version passes {@code above}, each write conditional on the
   * version before it, many in flight (one session's requests are applied in order).
   */
  private static void raiseEpoch(CuratorFramework client, ZkLayout layout, int above)
      throws Exception {
    String path = layout.epoch();
    try {
      client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    } catch (KeeperException.NodeExistsException expected) {
      // The normal case: the epoch znode is never deleted.
    }
    // In place of the last taker: its mtime tells when (ZooKeeper's clock, not a hidden one).
    byte[] data = "fencing-floor".getBytes(StandardCharsets.UTF_8);
    Stat stat = client.checkExists().forPath(path);
    while (stat.getVersion() <= above) {
      int from = stat.getVersion();
      int steps = Math.min(IN_FLIGHT, above + 1 - from);
      CountDownLatch answered = new CountDownLatch(steps);
      AtomicInteger failure = new AtomicInteger(KeeperException.Code.OK.intValue());
      for (int i = 0; i < steps; i++) {
        client
            .setData()
            .withVersion(from + i)
            .inBackground(
                (c, event) -> {
                  if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
                    failure.compareAndSet(
                        KeeperException.Code.OK.intValue(), event.getResultCode());
                  }
                  answered.countDown();
                })
            .forPath(path, data);
      }
      if (!answered.await(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "ZooKeeper did not answer " + steps + " writes of " + path + " in time");
      }
      int code = failure.get();
      // A version already moved on (a concurrent run, a resend after a lost answer) is read again.
      if (code != KeeperException.Code.OK.intValue()
          && code != KeeperException.Code.BADVERSION.intValue()) {
        throw KeeperException.create(KeeperException.Code.get(code), path);
      }
      stat = client.checkExists().forPath(path);
    }
  }

  private static long assignmentsZxid(CuratorFramework client, ZkLayout layout) throws Exception {
    Stat root = client.checkExists().forPath(layout.assignRoot());
    if (root == null) {
      return 0;
    }
    // A parent's pzxid is the zxid of its last child created or deleted: each worker's parent
    // bounds its assignments, and the root bounds the parents deleted with everything in them.
    long highest = root.getPzxid();
    for (String worker : children(client, layout.assignRoot())) {
      Stat stat = client.checkExists().forPath(layout.assignments(worker));
      if (stat != null) {
        highest = Math.max(highest, stat.getPzxid());
      }
    }
    return highest;
  }

  private static List<String> registered(CuratorFramework client, ZkLayout layout)
      throws Exception {
    List<String> all = new ArrayList<>();
    for (String member : children(client, layout.members())) {
      all.add(layout.member(member));
    }
    for (String worker : children(client, layout.workers())) {
      all.add(layout.worker(worker));
    }
    return all;
  }

  private static List<String> children(CuratorFramework client, String path) throws Exception {
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
  }
}
