package dev.zkscheduler;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.common.base.Preconditions;
import dev.zkscheduler.backend.Backend;
import dev.zkscheduler.backend.InMemoryBackend;
import dev.zkscheduler.backend.zk.ZooKeeperBackend;
import dev.zkscheduler.backend.zk.ZooKeeperConnection;
import dev.zkscheduler.backend.zk.ZooKeeperSettings;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.engine.Engine;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.engine.NodeRoles;
import dev.zkscheduler.health.SchedulerLoopHealthCheck;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Scheduler}. Three ways to run it:
 *
 * <ul>
 *   <li>On ZooKeeper: {@link #connectString} (the scheduler owns and closes the client) or {@link
 *       #zooKeeper} with the caller's started Curator client (namespaced, never closed here).
 *   <li>{@link #inMemory()}: one process, always the leader, nothing persisted — for trials and
 *       tests.
 *   <li>{@link #store} + {@link #leadership}: explicit parts, for tests of the engine.
 * </ul>
 *
 * Not thread-safe; build once.
 */
public final class SchedulerBuilder {

  private ZooKeeperConnection zooKeeper;
  private String namespace = "zk-scheduler";
  private Duration sessionTimeout = Duration.ofSeconds(10);
  private Duration connectionTimeout = Duration.ofSeconds(5);
  private boolean inMemory;
  private boolean leaderElection = true;
  private String digest;
  private SchedulerStore store;
  private Leadership leadership;
  private String memberId;
  private NodeRoles roles = NodeRoles.BOTH;
  private String address;
  private String version = "dev";
  private Clock clock = Clock.systemUTC();
  private MetricRegistry metrics = new MetricRegistry();
  private HealthCheckRegistry healthChecks;
  private EngineSettings settings = EngineSettings.DEFAULT;
  private StoreLimits limits = StoreLimits.DEFAULT;
  private final Map<String, TaskHandler> handlers = new LinkedHashMap<>();
  private final List<JobDefinition> jobs = new ArrayList<>();

  SchedulerBuilder() {}

  /** ZooKeeper ensemble, e.g. {@code zk1:2181,zk2:2181,zk3:2181}; the scheduler owns its client. */
  public SchedulerBuilder connectString(String connectString) {
    return zooKeeper(ZooKeeperConnection.to(connectString));
  }

  /**
   * How to reach ZooKeeper: {@link ZooKeeperConnection#to} a connect string, or {@link
   * ZooKeeperConnection#sharing} your own started Curator client (namespaced here, not closed).
   */
  public SchedulerBuilder zooKeeper(ZooKeeperConnection connection) {
    this.zooKeeper = connection;
    return this;
  }

  /** The cluster's namespace (a ZooKeeper path segment); default {@code zk-scheduler}. */
  public SchedulerBuilder namespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  public SchedulerBuilder sessionTimeout(Duration timeout) {
    this.sessionTimeout = timeout;
    return this;
  }

  public SchedulerBuilder connectionTimeout(Duration timeout) {
    this.connectionTimeout = timeout;
    return this;
  }

  /**
   * ZooKeeper digest authentication: the client authenticates as {@code username} and every znode
   * it creates gets an ACL that gives all permissions to that identity only ({@code
   * CREATOR_ALL_ACL}), so other ZooKeeper users cannot read or change scheduler state. All nodes of
   * a cluster must use the same identity. Only for a client this builder creates.
   */
  public SchedulerBuilder digestAuth(String username, String password) {
    Preconditions.checkArgument(
        username != null && !username.isBlank() && !username.contains(":"),
        "digest username must be non-empty and without ':'");
    Preconditions.checkArgument(
        password != null && !password.isEmpty(), "digest password must be non-empty");
    this.digest = username + ":" + password;
    return this;
  }

  /**
   * With {@code false}, this node leads without an election (single-node deployments). Writes stay
   * fenced; a second such node would fence this one's writes and both log errors. Default true.
   */
  public SchedulerBuilder leaderElection(boolean enabled) {
    this.leaderElection = enabled;
    return this;
  }

  /** A single process, always the leader, state in memory only. */
  public SchedulerBuilder inMemory() {
    this.inMemory = true;
    return this;
  }

  public SchedulerBuilder store(SchedulerStore store) {
    this.store = store;
    return this;
  }

  public SchedulerBuilder leadership(Leadership leadership) {
    this.leadership = leadership;
    return this;
  }

  /** This node's id: unique among live nodes, a safe znode name. Required. */
  public SchedulerBuilder memberId(String memberId) {
    this.memberId = memberId;
    return this;
  }

  /** Where this node can be reached (shown in the cluster view). */
  public SchedulerBuilder address(String address) {
    this.address = address;
    return this;
  }

  public SchedulerBuilder version(String version) {
    this.version = version;
    return this;
  }

  public SchedulerBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public SchedulerBuilder metrics(MetricRegistry metrics) {
    this.metrics = metrics;
    return this;
  }

  public SchedulerBuilder healthChecks(HealthCheckRegistry healthChecks) {
    this.healthChecks = healthChecks;
    return this;
  }

  public SchedulerBuilder settings(EngineSettings settings) {
    this.settings = settings;
    return this;
  }

  /**
   * What this node does: lead when elected and decide ({@code scheduler}), run the attempts the
   * leader assigns ({@code worker}), or both (the default). A worker-only node never takes part in
   * the election; a scheduler-only node runs no handler.
   */
  public SchedulerBuilder roles(NodeRoles roles) {
    this.roles = Preconditions.checkNotNull(roles, "roles");
    return this;
  }

  public SchedulerBuilder limits(StoreLimits limits) {
    this.limits = limits;
    return this;
  }

  /** Registers the handler of a task type. */
  public SchedulerBuilder handler(String type, TaskHandler handler) {
    Preconditions.checkArgument(
        handlers.putIfAbsent(type, handler) == null, "task type '%s' registered twice", type);
    return this;
  }

  /**
   * A job defined in code: upserted at start (unchanged definitions are not rewritten, so every
   * node of a cluster can register the same job without duplicate runs).
   */
  public SchedulerBuilder job(JobDefinition job) {
    jobs.add(job);
    return this;
  }

  /** A one-task job defined in code with its own handler, registered under type {@code id}. */
  public SchedulerBuilder job(
      String id, dev.zkscheduler.schedule.Schedule schedule, TaskHandler handler) {
    handler(id, handler);
    return job(JobDefinition.builder(id).schedule(schedule).task(id, id).build());
  }

  public Scheduler build() {
    Preconditions.checkState(memberId != null && !memberId.isBlank(), "memberId is required");
    int ways = (inMemory ? 1 : 0) + (store != null ? 1 : 0) + (zooKeeper != null ? 1 : 0);
    Preconditions.checkState(
        ways == 1,
        "choose exactly one of connectString()/zooKeeper(), inMemory() or store()+leadership()");
    Preconditions.checkState(store == null || leadership != null, "store() needs leadership()");
    Backend backend = backend();
    Engine engine =
        new Engine(
            backend.leadership(),
            backend.store(),
            backend.definitions(),
            backend.workers(),
            backend.workerSeat(),
            backend.attemptLease(),
            clock,
            settings,
            handlers,
            metrics,
            memberId,
            roles);
    SchedulerNode node =
        new SchedulerNode(memberId, backend.store(), clock, handlers, backend, engine, jobs);
    if (healthChecks != null) {
      Duration stale = settings.tickInterval().multipliedBy(20).plusSeconds(5);
      if (roles.scheduler()) {
        healthChecks.register(
            "scheduler-loop", new SchedulerLoopHealthCheck(engine::lastTick, clock, stale));
      }
      backend.healthChecks().forEach(healthChecks::register);
    }
    return node;
  }

  private Backend backend() {
    if (inMemory) {
      return InMemoryBackend.of(memberId, limits, clock);
    }
    if (store != null) {
      return InMemoryBackend.on(memberId, store, leadership, clock);
    }
    Preconditions.checkState(
        digest == null || zooKeeper.connectString() != null,
        "digestAuth() applies to the client built from connectString(); configure your own"
            + " Curator client's authorization yourself");
    return new ZooKeeperBackend(
        new ZooKeeperSettings(
            zooKeeper.connectString(),
            zooKeeper.client(),
            namespace,
            sessionTimeout,
            connectionTimeout,
            digest,
            leaderElection,
            memberId,
            address,
            version,
            clock,
            limits,
            roles),
        metrics);
  }
}
