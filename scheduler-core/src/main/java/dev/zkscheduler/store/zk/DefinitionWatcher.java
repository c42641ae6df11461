package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.zk.WatchedTree;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /jobs} and tells a listener about every job definition created, changed or
 * deleted, so the leader's plan follows edits made on any node. On start the listener first hears
 * every existing definition, then {@link Listener#initialized()}. A definition that cannot be
 * decoded is skipped, counted ({@code zkscheduler.store.unreadable}) and logged; it never stops the
 * watch.
 *
 * <p>A {@link WatchedTree} of depth 2 ({@code /jobs/{bucket}/{jobId}}) that reads every created or
 * changed definition, and loads them all in bulk after each (re)registration. It keeps each
 * definition decoded, not its bytes. Curator's {@code CuratorCache}, used before, read every
 * definition with two requests of its own (its data, then its children) on its first load and one
 * on every reconnect: 200,000 requests for 100,000 jobs, which the node's leader latch and term
 * then waited behind (about 16 s on the 2-core bench machine, {@code docs/performance.md}).
 *
 * <p>Listener callbacks run on the watch's thread ({@code zk-scheduler-definitions}), one at a
 * time; a listener must hand off anything slow. Lifecycle: {@link #start()} once, or it throws
 * {@link IllegalStateException}, also after close; {@link #close()} is idempotent, harmless before
 * start, and never throws.
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

  private final WatchedTree tree;
  private final Lifecycle lifecycle = new Lifecycle("DefinitionWatcher");
  private final Listener listener;
  private final Counter unreadable;

  /** Every readable definition, by job id; written on the watch's thread only. */
  private final ConcurrentHashMap<String, Versioned<JobDefinition>> decoded =
      new ConcurrentHashMap<>();

  private volatile boolean initialized;

  public DefinitionWatcher(
      CuratorFramework client, ZkLayout layout, Listener listener, MetricRegistry registry) {
    this.listener = listener;
    this.unreadable =
        (registry != null ? registry : new MetricRegistry()).counter(MetricNames.STORE_UNREADABLE);
    this.tree =
        new WatchedTree(
            client,
            layout.jobsRoot(),
            2,
            WatchedTree.Reads.ALL,
            false,
            "zk-scheduler-definitions",
            new WatchedTree.Listener() {
              @Override
              public void created(WatchedTree.Leaf leaf) {
                upsert(leaf);
              }

              @Override
              public void changed(WatchedTree.Leaf before, WatchedTree.Leaf after) {
                upsert(after);
              }

              @Override
              public void deleted(WatchedTree.Leaf leaf) {
                decoded.remove(leaf.name());
                listener.deleted(leaf.name());
              }

              @Override
              public void loaded(int leaves, long millis, boolean first) {
                log.info(
                    "definition watch {}: {} jobs read in {} ms",
                    first ? "loaded" : "reloaded after a reconnect",
                    leaves,
                    millis);
                if (!initialized) {
                  initialized = true;
                  listener.initialized();
                }
                synchronized (DefinitionWatcher.this) {
                  DefinitionWatcher.this.notifyAll(); // see snapshot(Duration)
                }
              }
            });
  }

  /**
   * Starts the watch; the initial load arrives on the watch's thread.
   *
   * @throws IllegalStateException if started twice or after close
   */
  public void start() {
    lifecycle.start();
    tree.start();
  }

  /**
   * Every readable definition the watch holds, once its initial load is complete; empty before,
   * while disconnected, and while the load after a reconnect runs (what changed meanwhile is not in
   * it yet: a leader elected then reads the definitions from the store instead). It may lag
   * ZooKeeper by the changes in flight, which the listener then reports like any other.
   */
  public Optional<List<Versioned<JobDefinition>>> snapshot() {
    return initialized && tree.isCurrent()
        ? Optional.of(List.copyOf(decoded.values()))
        : Optional.empty();
  }

  /**
   * As {@link #snapshot()}, waiting up to {@code wait} for a load under way (at start, or after a
   * reconnect) to complete, as long as it is under way: not while disconnected, nor after a load
   * stopped. A new leader asks this: reading every definition from the store while the watch reads
   * them too costs both twice the time (100,000 jobs: about 1 s of a cold start on the 2-core bench
   * machine).
   */
  public Optional<List<Versioned<JobDefinition>>> snapshot(java.time.Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (this) {
      Optional<List<Versioned<JobDefinition>>> now = snapshot();
      // A current tree with no snapshot yet is the moment between the load's end and the
      // listener marking the watch initialized.
      while (now.isEmpty()
          && lifecycle.state() == Lifecycle.State.STARTED
          && (tree.isCatchingUp() || tree.isCurrent())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        // Bounded: a suspension sets the tree not current without telling this class.
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        now = snapshot();
      }
      return now;
    }
  }

  private void upsert(WatchedTree.Leaf leaf) {
    String jobId = leaf.name();
    Versioned<JobDefinition> job;
    try {
      job = new Versioned<>(JobCodec.decode(leaf.data()), leaf.version(), leaf.created());
    } catch (CodecException e) {
      // Left out of the snapshot, as before: its older readable version is no longer current.
      decoded.remove(jobId);
      unreadable.inc();
      log.error(
          "job definition {} in ZooKeeper cannot be read and is ignored: {}",
          jobId,
          e.getMessage());
      return;
    }
    decoded.put(jobId, job);
    listener.upserted(job);
  }

  @Override
  public void close() {
    lifecycle.close();
    tree.close();
  }
}
