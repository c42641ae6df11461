package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.zk.WatchedTree;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's view of the workers ({@code /workers}) and of their reports ({@code /assign}), two
 * {@link WatchedTree}s kept by ZooKeeper's persistent watches: no polling. Every node keeps it, so
 * a new leader's view is warm. An assignment is created empty by the leader, so its creation is
 * known from the watch event alone; only a report (its data written by the worker) is read.
 * Thread-safe. Lifecycle: {@link #start()} once; {@link #close()} idempotent.
 */
public final class ZkWorkers implements Workers, Closeable {

  private static final Logger log = LoggerFactory.getLogger(ZkWorkers.class);

  private final CuratorFramework client;
  private final java.time.Clock clock;
  private final ZkLayout layout;
  private final WatchedTree workers;
  private final WatchedTree assignments;
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "zk-scheduler-workers-view");
            t.setDaemon(true);
            return t;
          });
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Most reports of this node's own worker held until the watch sees them go; oldest out. */
  private static final int MAX_REPORTED_HERE = 4_096;

  /** A report of this node's own worker, with the creation of the assignment it is for. */
  private record ReportedHere(long created, AttemptReport report) {}

  /**
   * Reports this node's own worker wrote, by assignment path, while the watch holds the assignment:
   * told by {@link #reported} before the watch has seen and read them, and dropped when it tells
   * the assignment's deletion. Each answers only for the assignment it was written into (the same
   * creation), never for a later one under the same path. Guarded by itself.
   */
  private final Map<String, ReportedHere> reportedHere =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReportedHere> eldest) {
          return size() > MAX_REPORTED_HERE;
        }
      };

  private final Lifecycle lifecycle = new Lifecycle("ZkWorkers");

  public ZkWorkers(CuratorFramework client, ZkLayout layout, java.time.Clock clock) {
    this.client = client;
    this.clock = clock;
    this.layout = layout;
    this.workers =
        new WatchedTree(
            client,
            layout.workers(),
            1,
            WatchedTree.Reads.ALL,
            true,
            events,
            new WatchedTree.Listener() {
              @Override
              public void created(WatchedTree.Leaf leaf) {
                wake();
              }

              @Override
              public void changed(WatchedTree.Leaf before, WatchedTree.Leaf after) {
                wake();
              }

              @Override
              public void deleted(WatchedTree.Leaf leaf) {
                wake();
              }
            });
    // Only a report (an assignment's data written by its worker) concerns the leader: assignments
    // created and deleted are its own writes, and waking it for their echoes tripled its ticks
    // under load. A load shows a report as a creation when it read the node after the worker wrote
    // it (a rebuild after reconnecting).
    this.assignments =
        new WatchedTree(
            client,
            layout.assignRoot(),
            2,
            WatchedTree.Reads.CHANGES,
            true,
            events,
            new WatchedTree.Listener() {
              @Override
              public void created(WatchedTree.Leaf leaf) {
                if (leaf.data().length > 0) {
                  wake();
                }
              }

              @Override
              public void changed(WatchedTree.Leaf before, WatchedTree.Leaf after) {
                wake();
              }

              @Override
              public void deleted(WatchedTree.Leaf leaf) {
                synchronized (reportedHere) {
                  reportedHere.remove(leaf.path());
                }
              }
            });
  }

  public void start() {
    lifecycle.start();
    workers.start();
    assignments.start();
  }

  private void wake() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("a workers listener failed: {}", e.toString());
      }
    }
  }

  @Override
  public Map<String, WorkerInfo> live() {
    Map<String, WorkerInfo> live = new HashMap<>();
    for (WatchedTree.Leaf leaf : workers.leaves()) {
      live.put(leaf.name(), WorkerRecords.decode(leaf.name(), leaf.data()));
    }
    return live;
  }

  @Override
  public Map<String, Integer> running() {
    Map<String, Integer> running = new HashMap<>();
    int skip = layout.assignRoot().length() + 1;
    for (WatchedTree.Leaf leaf : assignments.leaves()) {
      if (leaf.data().length == 0) {
        // /assign/{worker}/{key}: the tree holds leaves at that depth only
        String path = leaf.path();
        running.merge(path.substring(skip, path.indexOf('/', skip)), 1, Integer::sum);
      }
    }
    return running;
  }

  @Override
  public Optional<AttemptReport> reported(Assignment assignment) {
    String path = layout.assignment(assignment.worker(), assignment.key());
    Optional<WatchedTree.Leaf> leaf = assignments.get(path);
    if (leaf.isEmpty()) {
      return Optional.empty();
    }
    Optional<AttemptReport> seen = decode(leaf.get().data());
    if (seen.isPresent()) {
      return seen;
    }
    synchronized (reportedHere) {
      ReportedHere here = reportedHere.get(path);
      return here != null && here.created() == leaf.get().created()
          ? Optional.of(here.report())
          : Optional.empty();
    }
  }

  @Override
  public void reportedHere(Assignment assignment, AttemptReport report) {
    String path = layout.assignment(assignment.worker(), assignment.key());
    synchronized (reportedHere) {
      // Only while the watch holds the assignment: its deletion, told after the watch dropped it,
      // then removes the entry. One the watch does not hold (not seen yet, or gone) is left to it.
      Optional<WatchedTree.Leaf> leaf = assignments.get(path);
      if (leaf.isEmpty()) {
        return;
      }
      reportedHere.put(path, new ReportedHere(leaf.get().created(), report));
    }
    wake();
  }

  @Override
  public boolean gone(String worker) {
    try {
      return client.checkExists().forPath(layout.worker(worker)) == null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("cannot read worker " + worker + ": " + e, e);
    }
  }

  @Override
  public Optional<AttemptReport> readReport(Assignment assignment) {
    byte[] data;
    try {
      data = client.getData().forPath(layout.assignment(assignment.worker(), assignment.key()));
    } catch (org.apache.zookeeper.KeeperException.NoNodeException takenBack) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("cannot read " + assignment + ": " + e, e);
    }
    return decode(data);
  }

  private Optional<AttemptReport> decode(byte[] data) {
    if (data == null || data.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(ReportCodec.decode(data));
    } catch (CodecException e) {
      return Optional.of(
          AttemptReport.failure(
              "its worker's report could not be read: " + e.getMessage(), clock.instant(), false));
    }
  }

  @Override
  public void removeFolder(String worker) {
    try {
      client.delete().forPath(layout.assignments(worker));
    } catch (Exception notEmptyOrGone) {
      log.debug("assignments folder of {} not removed: {}", worker, notEmptyOrGone.toString());
    }
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    if (lifecycle.close() != Lifecycle.State.STARTED) {
      events.shutdownNow();
      return;
    }
    assignments.close();
    workers.close();
    events.shutdownNow();
  }
}
