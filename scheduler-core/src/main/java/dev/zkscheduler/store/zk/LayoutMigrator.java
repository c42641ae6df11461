package dev.zkscheduler.store.zk;

import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the fixed parents of the layout and brings {@code /layout-version} to {@link
 * ZkLayout#LAYOUT_VERSION}, holding an {@link InterProcessMutex} at {@code /locks/migration} so
 * that only one node migrates while the others wait (docs/design.md, section 5). A cluster whose
 * layout is newer than this node understands is refused: an old node must not write a layout it
 * cannot read.
 */
public final class LayoutMigrator {

  private static final Logger log = LoggerFactory.getLogger(LayoutMigrator.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final Duration lockTimeout;

  public LayoutMigrator(CuratorFramework client, ZkLayout layout, Duration lockTimeout) {
    this.client = client;
    this.layout = layout;
    this.lockTimeout = lockTimeout;
  }

  /**
   * @return the layout version found before this call (0 for a new cluster)
   * @throws IllegalStateException if the stored layout is newer than this node's, or the lock was
   *     not acquired in time
   */
  public int ensureLayout() throws Exception {
    InterProcessMutex lock = new InterProcessMutex(client, layout.migrationLock());
    if (!lock.acquire(lockTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "could not take the layout migration lock within " + lockTimeout);
    }
    try {
      int found = storedVersion();
      if (found > ZkLayout.LAYOUT_VERSION) {
        throw new IllegalStateException(
            "ZooKeeper holds layout version "
                + found
                + " but this node knows up to "
                + ZkLayout.LAYOUT_VERSION
                + "; upgrade this node");
      }
      if (found < ZkLayout.LAYOUT_VERSION) {
        if (found > 0 && found < 3) {
          awaitNoMember();
        }
        createParents();
        if (found > 0 && found < 3) {
          foldActiveIndex();
        }
        writeVersion(found);
        log.info("ZooKeeper layout brought from version {} to {}", found, ZkLayout.LAYOUT_VERSION);
      }
      return found;
    } finally {
      lock.release();
    }
  }

  /**
   * Folding the index needs a stopped cluster: a node of the older release still running would go
   * on creating runs listed only in the index being removed, and such a run would be found by no
   * leader. Nodes of any release register before they work and migrate under the lock before they
   * register, so no member (after waiting up to the lock timeout for the sessions of nodes stopped
   * just now, or killed, to end) means no node of the older release writes while this one folds.
   */
  private void awaitNoMember() throws Exception {
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    List<String> members = members();
    while (!members.isEmpty() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
      members = members();
    }
    if (!members.isEmpty()) {
      throw new IllegalStateException(
          "ZooKeeper holds layout version 2 or older with members still registered "
              + members
              + ": moving to layout "
              + ZkLayout.LAYOUT_VERSION
              + " needs every node stopped first (a node killed without closing stays registered"
              + " until its ZooKeeper session times out); nothing was changed");
    }
  }

  private List<String> members() throws Exception {
    try {
      return client.getChildren().forPath(layout.members());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
  }

  private int storedVersion() throws Exception {
    try {
      String text =
          new String(client.getData().forPath(layout.layoutVersion()), StandardCharsets.UTF_8)
              .trim();
      return Integer.parseInt(text);
    } catch (KeeperException.NoNodeException e) {
      return 0;
    } catch (NumberFormatException e) {
      throw new IllegalStateException(layout.layoutVersion() + " holds no version number", e);
    }
  }

  /** Every fixed parent, persistent (never containers, which ZooKeeper deletes when empty). */
  private void createParents() throws Exception {
    ensure(layout.leaderRoot());
    ensure(layout.members());
    ensure(layout.jobsRoot());
    ensure(layout.scheduleRoot());
    for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
      ensure(layout.jobBucket(bucket));
      ensure(layout.scheduleBucket(bucket));
    }
    ensure(layout.runsRoot());
    ensure(layout.requests());
    ensure(layout.workers());
    ensure(layout.assignRoot());
  }

  /**
   * Layout 3: every entry {@code /active/{bucket}/{jobId}~{runId}} of layouts 1 and 2 (a run not
   * terminal when the cluster stopped) is listed in job {@code jobId}'s schedule state, created if
   * the job has none (a job without a schedule that was triggered), then {@code /active} is
   * removed. Plain versioned writes, not fenced ones: no node leads while the layout is migrated
   * (nodes refuse an older layout, and an upgrade across layouts stops every node first). Safe to
   * run again after a failure midway: the version is written last, and listing a run twice is
   * avoided.
   */
  private void foldActiveIndex() throws Exception {
    if (client.checkExists().forPath(layout.legacyActiveRoot()) == null) {
      return;
    }
    Map<String, List<String>> runsByJob = new TreeMap<>();
    for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
      List<String> entries;
      try {
        entries = client.getChildren().forPath(layout.legacyActiveBucket(bucket));
      } catch (KeeperException.NoNodeException e) {
        continue;
      }
      for (String entry : entries) {
        int split = entry.indexOf('~');
        if (split <= 0) {
          log.warn("layout migration: {} is not an active-run entry; ignored", entry);
          continue;
        }
        runsByJob
            .computeIfAbsent(entry.substring(0, split), id -> new ArrayList<>())
            .add(entry.substring(split + 1));
      }
    }
    for (Map.Entry<String, List<String>> job : runsByJob.entrySet()) {
      listRuns(job.getKey(), job.getValue());
    }
    client.delete().deletingChildrenIfNeeded().forPath(layout.legacyActiveRoot());
    log.info(
        "layout migration: {} run(s) in flight of {} job(s) listed in their schedule states;"
            + " /active removed",
        runsByJob.values().stream().mapToInt(List::size).sum(),
        runsByJob.size());
  }

  private void listRuns(String jobId, List<String> runIds) throws Exception {
    String path = layout.schedule(jobId);
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      ScheduleState created = new ScheduleState(jobId, null, null, -1, 0L, runIds);
      client.create().forPath(path, ScheduleStateCodec.encode(created));
      return;
    }
    ScheduleState stored = ScheduleStateCodec.decode(data);
    Set<String> listed = new LinkedHashSet<>(stored.activeRunIds());
    listed.addAll(runIds);
    client
        .setData()
        .withVersion(stat.getVersion())
        .forPath(path, ScheduleStateCodec.encode(stored.withActiveRunIds(List.copyOf(listed))));
  }

  private void writeVersion(int found) throws Exception {
    byte[] data = Integer.toString(ZkLayout.LAYOUT_VERSION).getBytes(StandardCharsets.UTF_8);
    if (found == 0) {
      client.create().forPath(layout.layoutVersion(), data);
    } else {
      client.setData().forPath(layout.layoutVersion(), data);
    }
  }

  private void ensure(String path) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(path);
    } catch (KeeperException.NodeExistsException expected) {
      // Idempotent.
    }
  }
}
