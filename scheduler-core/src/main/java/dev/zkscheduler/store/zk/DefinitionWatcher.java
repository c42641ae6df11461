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
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /jobs} with Curator's {@link CuratorCache} and tells a listener about every job
 * definition created, changed or deleted, so the leader's plan follows edits made on any node. On
 * start the listener first hears every existing definition, then {@link Listener#initialized()}. A
 * definition that cannot be decoded is skipped, counted ({@code zkscheduler.store.unreadable}) and
 * logged; it never stops the watch.
 *
 * <p>Callbacks run on Curator's cache thread, one at a time; a listener must hand off anything
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

  private final CuratorCache cache;
  private final Listener listener;
  private final Counter unreadable;
  private final Lifecycle lifecycle = new Lifecycle("DefinitionWatcher");
  private volatile boolean initialized;

  /**
   * Every readable definition the watch has reported, decoded once as it arrived: a new leader's
   * snapshot of 100,000 jobs was its largest single cost when it decoded them all again. The
   * snapshot takes an entry only while the cache still holds that very node (same version and
   * creation).
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Versioned<JobDefinition>> decoded =
      new java.util.concurrent.ConcurrentHashMap<>();

  public DefinitionWatcher(
      CuratorFramework client, ZkLayout layout, Listener listener, MetricRegistry registry) {
    this.cache = CuratorCache.build(client, layout.jobsRoot());
    this.listener = listener;
    this.unreadable =
        (registry != null ? registry : new MetricRegistry()).counter(MetricNames.STORE_UNREADABLE);
  }

  /**
   * Starts the watch; the initial load arrives on the cache thread.
   *
   * @throws IllegalStateException if started twice or after close
   */
  public void start() {
    lifecycle.start();
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> upsert(after))
                .forDeletes(this::delete)
                .forInitialized(
                    () -> {
                      initialized = true;
                      listener.initialized();
                    })
                .build());
    cache.start();
  }

  /**
   * Every definition the watch holds, decoded, once its initial load is complete (empty before). It
   * may lag ZooKeeper by the changes in flight, which the listener then reports like any other.
   */
  public Optional<List<Versioned<JobDefinition>>> snapshot() {
    if (!initialized) {
      return Optional.empty();
    }
    List<Versioned<JobDefinition>> all = new ArrayList<>();
    cache.stream()
        .filter(node -> jobIdOf(node) != null && node.getData() != null)
        .forEach(
            node -> {
              // The cache is the truth: after a reconnect Curator replaces a node re-read at the
              // same version without an event, so one deleted and created again meanwhile (a new
              // creation, same version 0) is only seen in its stat.
              Versioned<JobDefinition> known = decoded.get(jobIdOf(node));
              if (known != null
                  && known.version() == node.getStat().getVersion()
                  && known.created() == node.getStat().getCzxid()) {
                all.add(known);
                return;
              }
              try {
                all.add(decode(node));
              } catch (CodecException unreadable) {
                // Counted and logged when it arrived.
              }
            });
    return Optional.of(all);
  }

  /** A job definition lives at depth three: /jobs/{bucket}/{jobId}. */
  private static String jobIdOf(ChildData node) {
    String[] parts = node.getPath().split("/");
    return parts.length == 4 ? parts[3] : null;
  }

  private void upsert(ChildData node) {
    String jobId = jobIdOf(node);
    if (jobId == null) {
      return;
    }
    try {
      Versioned<JobDefinition> job = decode(node);
      decoded.put(jobId, job);
      listener.upserted(job);
    } catch (CodecException e) {
      // Left out of the snapshot, as before: its older readable version is no longer current.
      decoded.remove(jobId);
      unreadable.inc();
      log.error(
          "job definition {} in ZooKeeper cannot be read and is ignored: {}",
          jobId,
          e.getMessage());
    }
  }

  /** The definition a node holds, with its version and creation (its {@code czxid}). */
  private static Versioned<JobDefinition> decode(ChildData node) {
    return new Versioned<>(
        JobCodec.decode(node.getData()), node.getStat().getVersion(), node.getStat().getCzxid());
  }

  private void delete(ChildData node) {
    String jobId = jobIdOf(node);
    if (jobId != null) {
      decoded.remove(jobId);
      listener.deleted(jobId);
    }
  }

  @Override
  public void close() {
    if (lifecycle.close() == Lifecycle.State.STARTED) {
      cache.close();
    }
  }
}
