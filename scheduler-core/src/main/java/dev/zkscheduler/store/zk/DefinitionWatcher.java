package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /jobs} and tells a listener about every job definition created, changed or
 * deleted, so the leader's plan follows edits made on any node. On start the listener first hears
 * every existing definition, then {@link Listener#initialized()}. A definition that cannot be
 * decoded is skipped, counted ({@code zkscheduler.store.unreadable}) and logged; it never stops the
 * watch.
 *
 * <p>How it stays exact: one persistent recursive watch on {@code /jobs} (Curator's {@link
 * PersistentWatcher}, added again after every reconnect), and after each (re)registration a full
 * load in bulk ({@link DefinitionLoad}: the 256 bucket listings, then multi-reads of 32). An event
 * makes one read of its znode. ZooKeeper answers a session's requests in order and sends a watch
 * event before the answer to any request made after the change, and all of it arrives on the
 * session's one event thread: so every answer is applied in the order it arrived, and the last one
 * for a znode is its latest state. Answers are decoded and applied on a thread of the watch's own,
 * in that order, so the event thread is never held up.
 *
 * <p>Curator's {@code CuratorCache}, used before, read every definition with two requests of its
 * own (data, then children) on its first load and one on every reconnect: 200,000 requests for
 * 100,000 jobs, which the node's leader latch and term then waited behind (about 16 s on the 2-core
 * bench machine, {@code docs/performance.md}).
 *
 * <p>Listener callbacks run on the watch's thread, one at a time; a listener must hand off anything
 * slow. Lifecycle: {@link #start()} once, or it throws {@link IllegalStateException}, also after
 * close; {@link #close()} is idempotent, harmless before start, and never throws.
 */
public final class DefinitionWatcher implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(DefinitionWatcher.class);

  /** Receives definition changes. */
  public interface Listener {
    void upserted(Versioned<JobDefinition> job);

    void deleted(String jobId);

    /** The initial load is complete. */
    default void initialized() {}
  }

  /** What the watch knows of one job's znode; {@code job} null when it cannot be decoded. */
  private record Entry(int version, long created, Versioned<JobDefinition> job) {}

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PersistentWatcher watch;
  private final Listener listener;
  private final Counter unreadable;
  private final Lifecycle lifecycle = new Lifecycle("DefinitionWatcher");
  private final ExecutorService applying =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "zk-scheduler-definitions");
            t.setDaemon(true);
            return t;
          });

  /** By job id; written on the watch's thread only. */
  private final ConcurrentHashMap<String, Entry> known = new ConcurrentHashMap<>();

  /** The job ids {@link #known} holds, by bucket path; the watch's thread only. */
  private final Map<String, Set<String>> byBucket = new HashMap<>();

  private volatile boolean initialized;

  private final AtomicReference<DefinitionLoad> load = new AtomicReference<>();

  public DefinitionWatcher(
      CuratorFramework client, ZkLayout layout, Listener listener, MetricRegistry registry) {
    this.client = client;
    this.layout = layout;
    this.watch = new PersistentWatcher(client, layout.jobsRoot(), true);
    this.listener = listener;
    this.unreadable =
        (registry != null ? registry : new MetricRegistry()).counter(MetricNames.STORE_UNREADABLE);
  }

  /**
   * Starts the watch; the initial load arrives on the watch's thread.
   *
   * @throws IllegalStateException if started twice or after close
   */
  public void start() {
    lifecycle.start();
    watch.getListenable().addListener(this::process);
    watch.getResetListenable().addListener(this::reload);
    watch.start();
  }

  /**
   * Every readable definition the watch holds, once its initial load is complete (empty before). It
   * may lag ZooKeeper by the changes in flight, which the listener then reports like any other.
   */
  public Optional<List<Versioned<JobDefinition>>> snapshot() {
    if (!initialized) {
      return Optional.empty();
    }
    List<Versioned<JobDefinition>> all = new ArrayList<>(known.size());
    for (Entry entry : known.values()) {
      if (entry.job() != null) {
        all.add(entry.job());
      }
    }
    return Optional.of(all);
  }

  /** A watch event, on the session's event thread: its znode is read, or dropped. */
  private void process(WatchedEvent event) {
    // Without the namespace: Curator hands a namespaced client's watch events over that way.
    String path = event.getPath();
    if (path == null || jobIdOf(path) == null) {
      return;
    }
    switch (event.getType()) {
      case NodeCreated, NodeDataChanged -> readOne(path);
      case NodeDeleted -> apply(() -> remove(path));
      default -> {
        // Connection states: the reload after the watch is registered again covers them.
      }
    }
  }

  private void readOne(String path) {
    ZooKeeper zk;
    try {
      zk = client.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      log.debug("cannot read {} after its event: {}", path, e.toString());
      return; // closing, or no connection: the reload after reconnecting reads it
    }
    zk.getData(
        absolute(path),
        false,
        (rc, p, ctx, data, stat) -> {
          KeeperException.Code code = KeeperException.Code.get(rc);
          if (code == KeeperException.Code.OK) {
            apply(() -> put(path, data, stat));
          } else if (code == KeeperException.Code.NONODE) {
            apply(() -> remove(path));
          } else {
            // Connection lost: the watch is registered again on reconnecting, and reloads.
            log.debug("reading {} after its event failed: {}", path, code);
          }
        },
        null);
  }

  /**
   * The watch is (again) registered: everything is read again, in bulk. A load still running (its
   * connection was lost and came back) is stopped: the new one covers it.
   */
  private void reload() {
    if (!isOpen()) {
      return;
    }
    DefinitionLoad next = new DefinitionLoad(client, layout, this);
    DefinitionLoad before = load.getAndSet(next);
    if (before != null) {
      before.stop("a newer load replaces it");
    }
    next.start();
  }

  boolean isOpen() {
    return lifecycle.state() == Lifecycle.State.STARTED;
  }

  /** Runs {@code change} on the watch's thread, after every change that arrived before it. */
  void apply(Runnable change) {
    try {
      applying.execute(
          () -> {
            try {
              change.run();
            } catch (RuntimeException e) {
              // A listener's failure must not stop the changes after it.
              log.error("applying a definition change failed: {}", e.toString(), e);
            }
          });
    } catch (RejectedExecutionException closed) {
      // Closed: nobody listens any more.
    }
  }

  /** Jobs of {@code bucket} that its listing no longer names are gone. */
  void keepOnly(String bucket, List<String> children) {
    Set<String> members = byBucket.get(bucket);
    if (members == null) {
      return;
    }
    Set<String> listed = new HashSet<>(children);
    for (String jobId : List.copyOf(members)) {
      if (!listed.contains(jobId)) {
        remove(bucket + "/" + jobId);
      }
    }
  }

  /** A job's znode as read. */
  void put(String path, byte[] data, Stat stat) {
    String jobId = jobIdOf(path);
    Entry before = known.get(jobId);
    if (before != null
        && before.version() == stat.getVersion()
        && before.created() == stat.getCzxid()) {
      return; // read again after a reconnect, unchanged
    }
    Versioned<JobDefinition> job;
    try {
      job = new Versioned<>(JobCodec.decode(data), stat.getVersion(), stat.getCzxid());
    } catch (CodecException e) {
      // Left out of the snapshot, as before: its older readable version is no longer current.
      known.put(jobId, new Entry(stat.getVersion(), stat.getCzxid(), null));
      byBucket.computeIfAbsent(bucketOf(path), b -> new HashSet<>()).add(jobId);
      unreadable.inc();
      log.error(
          "job definition {} in ZooKeeper cannot be read and is ignored: {}",
          jobId,
          e.getMessage());
      return;
    }
    known.put(jobId, new Entry(stat.getVersion(), stat.getCzxid(), job));
    byBucket.computeIfAbsent(bucketOf(path), b -> new HashSet<>()).add(jobId);
    listener.upserted(job);
  }

  void remove(String path) {
    String jobId = jobIdOf(path);
    if (jobId != null && known.remove(jobId) != null) {
      Set<String> members = byBucket.get(bucketOf(path));
      if (members != null) {
        members.remove(jobId);
      }
      listener.deleted(jobId);
    }
  }

  /** A full load ended with every bucket listed and every job read. */
  void loaded(int jobs, long millis, boolean first) {
    if (!initialized) {
      initialized = true;
      listener.initialized();
    }
    log.info(
        "definition watch {}: {} jobs read in {} ms",
        first ? "loaded" : "reloaded after a reconnect",
        jobs,
        millis);
  }

  boolean isInitialized() {
    return initialized;
  }

  /** A job definition lives at depth three: /jobs/{bucket}/{jobId}. */
  private String jobIdOf(String path) {
    String[] parts = path.split("/");
    return parts.length == 4 && path.startsWith(layout.jobsRoot() + "/") ? parts[3] : null;
  }

  private static String bucketOf(String jobPath) {
    return jobPath.substring(0, jobPath.lastIndexOf('/'));
  }

  String absolute(String path) {
    return ZKPaths.fixForNamespace(client.getNamespace(), path);
  }

  @Override
  public void close() {
    if (lifecycle.close() == Lifecycle.State.STARTED) {
      watch.close();
      DefinitionLoad running = load.get();
      if (running != null) {
        running.stop("the watch is closed");
      }
    }
    applying.shutdownNow();
  }
}
