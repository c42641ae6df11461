package dev.zkscheduler.backend.zk;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.backend.Backend;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.zk.ClockSkew;
import dev.zkscheduler.cluster.zk.ClusterView;
import dev.zkscheduler.cluster.zk.ConnectionMetrics;
import dev.zkscheduler.cluster.zk.LeaderElection;
import dev.zkscheduler.cluster.zk.Membership;
import dev.zkscheduler.cluster.zk.SoloLeadership;
import dev.zkscheduler.cluster.zk.ZkLeadership;
import dev.zkscheduler.cluster.zk.ZkWorkerSeat;
import dev.zkscheduler.cluster.zk.ZkWorkers;
import dev.zkscheduler.engine.DefinitionSource;
import dev.zkscheduler.engine.Lease;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.health.ClockSkewHealthCheck;
import dev.zkscheduler.health.LeadershipHealthCheck;
import dev.zkscheduler.health.WorkerHealthCheck;
import dev.zkscheduler.health.ZooKeeperHealthCheck;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.zk.DefinitionWatcher;
import dev.zkscheduler.store.zk.FencedTransaction;
import dev.zkscheduler.store.zk.LayoutMigrator;
import dev.zkscheduler.store.zk.StoreGauges;
import dev.zkscheduler.store.zk.ZkSchedulerStore;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper backend: one Curator client (built here from {@link ZooKeeperSettings}, or the
 * caller's), the layout migration, the store with its fenced transactions, membership, leadership
 * (a latch election, or leading alone when election is off) and the definition watch.
 *
 * <p>{@link #start} connects, migrates the layout under its lock, joins, takes part in leadership
 * and starts the watch, in that order; {@link #close()} undoes them in reverse. Both follow the one
 * lifecycle of this code base: start once, close idempotently.
 */
public final class ZooKeeperBackend implements Backend {

  private static final Logger log = LoggerFactory.getLogger(ZooKeeperBackend.class);

  private final ZooKeeperSettings settings;
  private final CuratorFramework client;
  private final boolean ownsClient;
  private final ZkSchedulerStore store;
  private final Membership membership;
  private final ZkLeadership leadership;
  private final ClusterView view;
  private final ZkWorkers workers;
  private final ZkWorkerSeat seat;
  private final Lease lease;
  private final MetricRegistry metrics;
  private final Lifecycle lifecycle = new Lifecycle("backend");
  private final Deque<Closeable> started = new ArrayDeque<>();
  private volatile DefinitionWatcher watcher;

  public ZooKeeperBackend(ZooKeeperSettings settings, MetricRegistry metrics) {
    this.settings = settings;
    this.metrics = metrics;
    this.ownsClient = settings.client() == null;
    this.client =
        ownsClient
            ? ZooKeeperClients.newClient(settings)
            : settings.client().usingNamespace(settings.namespace());
    ZkLayout layout = new ZkLayout();
    this.store =
        new ZkSchedulerStore(
            client,
            layout,
            new FencedTransaction(client, layout, metrics),
            settings.limits(),
            metrics);
    this.membership =
        new Membership(
            client,
            layout,
            settings.memberId(),
            settings.address(),
            settings.version(),
            settings.clock(),
            settings.roles().toString());
    if (settings.leaderElection()) {
      this.leadership =
          new LeaderElection(client, layout, settings.memberId(), settings.clock(), metrics);
    } else {
      this.leadership =
          new SoloLeadership(client, layout, settings.memberId(), settings.clock(), metrics);
    }
    this.workers = new ZkWorkers(client, layout, settings.clock());
    this.view = new ClusterView(leadership, membership, workers);
    this.lease = newLease(client, settings.sessionTimeout());
    // The heartbeat renews the lease well inside its half session timeout.
    this.seat =
        new ZkWorkerSeat(
            client,
            layout,
            settings.memberId(),
            lease::renew,
            settings.sessionTimeout().dividedBy(10));
    ConnectionMetrics.register(client, metrics);
    StoreGauges.register(client, layout, metrics);
  }

  @Override
  public SchedulerStore store() {
    return store;
  }

  @Override
  public Leadership leadership() {
    return leadership;
  }

  /**
   * How long a new leader waits for the definition watch to finish a load under way (at start, or
   * after a reconnect) before it reads every definition from the store itself. 100,000 jobs load in
   * 2-3 s on the 2-core bench machine; the wait stays under what the loop's health check allows a
   * tick (6 s at the default tick).
   */
  static final Duration DEFINITION_WATCH_WAIT = Duration.ofSeconds(5);

  @Override
  public DefinitionSource definitions() {
    // The watch exists once started; before that (and if it does not load in time) the store is
    // read.
    return DefinitionSource.watched(this::watchedDefinitions, store);
  }

  private java.util.Optional<java.util.List<Versioned<JobDefinition>>> watchedDefinitions() {
    DefinitionWatcher w = watcher;
    if (w == null) {
      return java.util.Optional.empty();
    }
    try {
      return w.snapshot(DEFINITION_WATCH_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  @Override
  public Lease attemptLease() {
    return lease;
  }

  /**
   * A worker's last contact younger than half the session timeout proves its session has not
   * expired, so no one else can be running its attempts (see Lease). The server may grant a shorter
   * session than asked for (its maxSessionTimeout): the lease follows the granted one once known.
   */
  private static Lease newLease(CuratorFramework client, Duration asked) {
    return Lease.lapsingAfter(
        () -> {
          int granted = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
          Duration session =
              granted > 0 && granted < asked.toMillis() ? Duration.ofMillis(granted) : asked;
          return session.dividedBy(2);
        });
  }

  @Override
  public dev.zkscheduler.cluster.Workers workers() {
    return workers;
  }

  @Override
  public dev.zkscheduler.cluster.WorkerSeat workerSeat() {
    return seat;
  }

  @Override
  public ClusterStatus clusterStatus() {
    try {
      return view.status();
    } catch (Exception e) {
      throw new StoreUnavailableException("cannot read the cluster view: " + e, e);
    }
  }

  @Override
  public Map<String, HealthCheck> healthChecks() {
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put(
        "zookeeper",
        new ZooKeeperHealthCheck(
            () -> client.getZookeeperClient().isConnected(), settings.describe()));
    checks.put(
        "leadership",
        new LeadershipHealthCheck(leadership, this::clusterStatus, leadership::standingAside));
    checks.put(
        "clock-skew", new ClockSkewHealthCheck(leadership::clockSkew, ClockSkew.DEFAULT_LIMIT));
    if (settings.roles().worker()) {
      checks.put("worker", new WorkerHealthCheck(seat::name, lease::valid));
    }
    return checks;
  }

  @Override
  public void start(DefinitionChanges changes) throws Exception {
    lifecycle.start();
    try {
      if (ownsClient) {
        client.start();
        started.push(client);
      }
      Duration wait = settings.connectionTimeout().multipliedBy(3);
      if (!client.blockUntilConnected((int) wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("could not connect to ZooKeeper at " + settings.describe());
      }
      new LayoutMigrator(client, new ZkLayout(), Duration.ofSeconds(30)).ensureLayout();
      // Each part is recorded before it starts, so one that fails half-way is closed too.
      started.push(membership);
      membership.start();
      started.push(workers);
      workers.start();
      // Closed by the backend too (after the engine drained it): leaving is idempotent.
      started.push(seat);
      // The watch before the latch: a term that starts while the watch loads waits for the load
      // rather than reading every definition again (see definitions()).
      DefinitionWatcher watch =
          new DefinitionWatcher(client, new ZkLayout(), listener(changes), metrics);
      started.push(watch);
      watch.start();
      watcher = watch;
      if (settings.roles().scheduler()) {
        started.push(leadership);
        leadership.start();
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private static DefinitionWatcher.Listener listener(DefinitionChanges changes) {
    return new DefinitionWatcher.Listener() {
      @Override
      public void upserted(Versioned<JobDefinition> job) {
        changes.changed(job.value().id(), job);
      }

      @Override
      public void deleted(String jobId) {
        changes.changed(jobId, null);
      }
    };
  }

  @Override
  public void close() {
    // Also after a failed start, to undo what it did start; and harmless before start.
    if (lifecycle.close() == Lifecycle.State.CLOSED) {
      return;
    }
    while (!started.isEmpty()) {
      Closeable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
