package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.cluster.Workers;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's view of the workers ({@code /workers}) and of their reports ({@code /assign}), two
 * Curator caches kept by ZooKeeper's watches: no polling. Every node keeps it, so a new leader's
 * view is warm. Thread-safe. Lifecycle: {@link #start()} once; {@link #close()} idempotent.
 */
public final class ZkWorkers implements Workers, Closeable {

  private static final Logger log = LoggerFactory.getLogger(ZkWorkers.class);

  private final CuratorFramework client;
  private final java.time.Clock clock;
  private final ZkLayout layout;
  private final CuratorCache workers;
  private final CuratorCache assignments;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Lifecycle lifecycle = new Lifecycle("ZkWorkers");

  public ZkWorkers(CuratorFramework client, ZkLayout layout, java.time.Clock clock) {
    this.client = client;
    this.clock = clock;
    this.layout = layout;
    this.workers = CuratorCache.build(client, layout.workers());
    this.assignments = CuratorCache.build(client, layout.assignRoot());
  }

  public void start() {
    lifecycle.start();
    workers
        .listenable()
        .addListener(
            CuratorCacheListener.builder().forAll((type, before, after) -> changed()).build());
    // Only a report (an assignment's data written by its worker) concerns the leader: assignments
    // created and deleted are its own writes, and waking it for their echoes tripled its ticks
    // under load. The cache shows a report as a creation when it read the node only after the
    // worker wrote it (a backlog, a rebuild after reconnecting).
    assignments
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreates(
                    node -> {
                      if (node.getData() != null && node.getData().length > 0) {
                        changed();
                      }
                    })
                .forChanges((before, after) -> changed())
                .build());
    workers.start();
    assignments.start();
  }

  private void changed() {
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
    String prefix = layout.workers() + "/";
    workers.stream()
        .filter(d -> d.getPath().startsWith(prefix))
        .forEach(
            d -> {
              String name = d.getPath().substring(prefix.length());
              live.put(name, WorkerRecords.decode(name, d.getData()));
            });
    return live;
  }

  @Override
  public Map<String, Integer> running() {
    Map<String, Integer> running = new HashMap<>();
    String prefix = layout.assignRoot() + "/";
    assignments.stream()
        .filter(d -> d.getData() == null || d.getData().length == 0)
        .forEach(
            d -> {
              String rest =
                  d.getPath().startsWith(prefix) ? d.getPath().substring(prefix.length()) : "";
              int slash = rest.indexOf('/');
              if (slash > 0) {
                running.merge(rest.substring(0, slash), 1, Integer::sum);
              }
            });
    return running;
  }

  @Override
  public Optional<AttemptReport> reported(Assignment assignment) {
    Optional<ChildData> node =
        assignments.get(layout.assignment(assignment.worker(), assignment.key()));
    return node.isEmpty() ? Optional.empty() : decode(node.get().getData());
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
      return;
    }
    assignments.close();
    workers.close();
  }
}
