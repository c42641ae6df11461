package dev.zkscheduler.engine;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.common.base.Preconditions;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.ClusterView;
import dev.zkscheduler.cluster.ConnectionMetrics;
import dev.zkscheduler.cluster.LeaderElection;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.Membership;
import dev.zkscheduler.cluster.SoloLeadership;
import dev.zkscheduler.cluster.ZkLeadership;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.store.DefinitionWatcher;
import dev.zkscheduler.store.FencedTransaction;
import dev.zkscheduler.store.InMemorySchedulerStore;
import dev.zkscheduler.store.LayoutMigrator;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreGauges;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.Versioned;
import dev.zkscheduler.store.ZkLayout;
import dev.zkscheduler.store.ZkSchedulerStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * Builds a {@link Scheduler}. Three ways to run it:
 *
 * <ul>
 *   <li>On ZooKeeper: {@link #connectString} (the scheduler owns and closes the client) or {@link
 *       #curator} (the caller's client, started; the scheduler namespaces it but does not close
 *       it).
 *   <li>{@link #inMemory()}: one process, always the leader, nothing persisted — for trials and
 *       tests.
 *   <li>{@link #store} + {@link #leadership}: explicit parts, for tests of the engine.
 * </ul>
 *
 * Not thread-safe; build once.
 */
public final class SchedulerBuilder {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(SchedulerBuilder.class);

  private String connectString;
  private CuratorFramework curator;
  private String namespace = "zk-scheduler";
  private Duration sessionTimeout = Duration.ofSeconds(10);
  private Duration connectionTimeout = Duration.ofSeconds(5);
  private boolean inMemory;
  private boolean leaderElection = true;
  private String digest;
  private SchedulerStore store;
  private Leadership leadership;
  private String memberId;
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

  /** ZooKeeper ensemble, e.g. {@code zk1:2181,zk2:2181,zk3:2181}. */
  public SchedulerBuilder connectString(String connectString) {
    this.connectString = connectString;
    return this;
  }

  /** An existing, started Curator client (not namespaced; {@link #namespace} is applied). */
  public SchedulerBuilder curator(CuratorFramework client) {
    this.curator = client;
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

  private void warnIfNotAlone(Membership membership) throws Exception {
    List<String> others =
        membership.members().stream().map(m -> m.id()).filter(id -> !id.equals(memberId)).toList();
    if (!others.isEmpty()) {
      log.warn(
          "leader election is OFF on {} but other members are live: {}. Their writes and this"
              + " node's will fence each other; turn election on for a cluster.",
          memberId,
          others);
    }
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
    int ways =
        (inMemory ? 1 : 0)
            + (store != null ? 1 : 0)
            + (connectString != null || curator != null ? 1 : 0);
    Preconditions.checkState(
        ways == 1,
        "choose exactly one of connectString/curator, inMemory() or store()+leadership()");
    Preconditions.checkState(
        digest == null || connectString != null,
        "digestAuth() applies to the client built from connectString(); configure your own"
            + " Curator client's authorization yourself");
    List<SchedulerNode.Lifecycle> lifecycle = new ArrayList<>();
    SchedulerStore chosenStore;
    Leadership chosenLeadership;
    SchedulerNode.ClusterAccess cluster;
    CuratorFramework client = null;
    if (inMemory || store != null) {
      if (inMemory) {
        InMemorySchedulerStore memory = new InMemorySchedulerStore(limits);
        chosenStore = memory;
        chosenLeadership = new LocalLeadership(memory, memberId, clock);
      } else {
        Preconditions.checkState(leadership != null, "store() needs leadership()");
        chosenStore = store;
        chosenLeadership = leadership;
      }
      Instant since = clock.instant();
      Leadership lead = chosenLeadership;
      cluster =
          new SchedulerNode.ClusterAccess() {
            @Override
            public ClusterStatus status() {
              long epoch = lead.currentTerm().map(t -> t.epoch()).orElse(-1L);
              return SchedulerNode.single(memberId, epoch, since);
            }

            @Override
            public boolean isLeader() {
              return lead.currentTerm().isPresent();
            }
          };
    } else {
      client = curator != null ? curator.usingNamespace(namespace) : newClient();
      CuratorFramework zk = client;
      boolean owned = curator == null;
      ZkLayout layout = new ZkLayout();
      FencedTransaction fenced = new FencedTransaction(zk, layout, metrics);
      chosenStore = new ZkSchedulerStore(zk, layout, fenced, limits, metrics);
      Membership membership = new Membership(zk, layout, memberId, address, version, clock);
      ZkLeadership election;
      SchedulerNode.Lifecycle electionLifecycle;
      if (leaderElection) {
        LeaderElection elected = new LeaderElection(zk, layout, memberId, clock, metrics);
        election = elected;
        electionLifecycle = lifecycle(elected::start, elected::close);
      } else {
        SoloLeadership solo = new SoloLeadership(zk, layout, memberId, clock, metrics);
        election = solo;
        electionLifecycle =
            lifecycle(
                () -> {
                  warnIfNotAlone(membership);
                  solo.start();
                },
                solo::close);
      }
      ClusterView view = new ClusterView(election, membership);
      chosenLeadership = election;
      ConnectionMetrics.register(zk, metrics);
      StoreGauges.register(zk, layout, metrics);
      lifecycle.add(
          new SchedulerNode.Lifecycle() {
            @Override
            public void start() throws Exception {
              if (owned) {
                zk.start();
              }
              if (!zk.blockUntilConnected(
                  (int) connectionTimeout.multipliedBy(3).toMillis(),
                  java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("could not connect to ZooKeeper at " + describe());
              }
              new LayoutMigrator(zk, layout, Duration.ofSeconds(30)).ensureLayout();
            }

            @Override
            public void close() {
              if (owned) {
                zk.close();
              }
            }
          });
      lifecycle.add(lifecycle(membership::start, membership::close));
      lifecycle.add(electionLifecycle);
      cluster =
          new SchedulerNode.ClusterAccess() {
            @Override
            public ClusterStatus status() {
              try {
                return view.status();
              } catch (Exception e) {
                throw new dev.zkscheduler.store.StoreUnavailableException(
                    "cannot read the cluster view: " + e, e);
              }
            }

            @Override
            public boolean isLeader() {
              return election.currentTerm().isPresent();
            }
          };
    }
    EngineMetrics engineMetrics = new EngineMetrics(metrics);
    TickLoop[] loopHolder = new TickLoop[1];
    TaskRunner runner =
        new TaskRunner(
            settings.taskThreads(),
            clock,
            metrics,
            () -> loopHolder[0].wakeUp(),
            // On ZooKeeper, attempts start only while the leader's last contact is younger than
            // half the session timeout (see Lease); alone in memory there is no session to lose.
            client != null ? new Lease(sessionTimeout.dividedBy(2)) : Lease.unlimited());
    SchedulerStore finalStore = chosenStore;
    DefinitionSource definitions = DefinitionSource.store(chosenStore);
    if (client != null) {
      DefinitionWatcher watcher =
          new DefinitionWatcher(
              client,
              new ZkLayout(),
              new DefinitionWatcher.Listener() {
                @Override
                public void upserted(Versioned<JobDefinition> job) {
                  loopHolder[0].definitionChanged(
                      new TermWork.DefinitionChange(job.value().id(), job));
                }

                @Override
                public void deleted(String jobId) {
                  loopHolder[0].definitionChanged(new TermWork.DefinitionChange(jobId, null));
                }
              },
              metrics);
      definitions = DefinitionSource.watched(watcher, chosenStore);
      lifecycle.add(lifecycle(watcher::start, watcher::close));
    }
    DefinitionSource finalDefinitions = definitions;
    TickLoop loop =
        new TickLoop(
            chosenLeadership,
            clock,
            settings,
            runner,
            metrics,
            term ->
                new TermWork(
                    term,
                    finalStore,
                    clock,
                    settings,
                    handlers,
                    runner,
                    engineMetrics,
                    finalDefinitions));
    loopHolder[0] = loop;
    SchedulerNode node =
        new SchedulerNode(
            memberId,
            chosenStore,
            clock,
            handlers,
            settings,
            loop,
            runner,
            cluster,
            jobs,
            lifecycle);
    if (healthChecks != null) {
      registerHealthChecks(node, client, chosenLeadership, cluster);
    }
    return node;
  }

  private void registerHealthChecks(
      SchedulerNode node,
      CuratorFramework client,
      Leadership lead,
      SchedulerNode.ClusterAccess cluster) {
    Duration stale = settings.tickInterval().multipliedBy(20).plusSeconds(5);
    healthChecks.register(
        "scheduler-loop",
        new HealthCheck() {
          @Override
          protected Result check() {
            Instant last = node.lastTick().orElse(null);
            if (last == null) {
              return Result.unhealthy("the scheduler loop has not ticked yet");
            }
            Duration age = Duration.between(last, clock.instant());
            return age.compareTo(stale) <= 0
                ? Result.healthy("last tick " + age.toMillis() + " ms ago")
                : Result.unhealthy(
                    "last tick " + age.toMillis() + " ms ago (limit " + stale.toMillis() + " ms)");
          }
        });
    if (client != null) {
      healthChecks.register(
          "zookeeper",
          new HealthCheck() {
            @Override
            protected Result check() {
              return client.getZookeeperClient().isConnected()
                  ? Result.healthy("connected to " + describe())
                  : Result.unhealthy("not connected to ZooKeeper at " + describe());
            }
          });
    }
    healthChecks.register(
        "leadership",
        new HealthCheck() {
          @Override
          protected Result check() {
            boolean leads = lead.currentTerm().isPresent();
            if (client == null) {
              return Result.healthy(leads ? "leader" : "follower");
            }
            ClusterStatus status = cluster.status();
            if (leads && !memberIdOf(status).equals(status.leaderId())) {
              return Result.unhealthy(
                  "this node holds a term but the latch names " + status.leaderId());
            }
            return Result.healthy(
                leads ? "leader, epoch " + status.epoch() : "follower of " + status.leaderId());
          }
        });
  }

  private String memberIdOf(ClusterStatus status) {
    return status.selfId();
  }

  private String describe() {
    return connectString != null ? connectString : "the provided Curator client";
  }

  private CuratorFramework newClient() {
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
    if (digest != null) {
      builder
          .authorization("digest", digest.getBytes(StandardCharsets.UTF_8))
          .aclProvider(
              new ACLProvider() {
                @Override
                public List<ACL> getDefaultAcl() {
                  return ZooDefs.Ids.CREATOR_ALL_ACL;
                }

                @Override
                public List<ACL> getAclForPath(String path) {
                  return ZooDefs.Ids.CREATOR_ALL_ACL;
                }
              });
    }
    return builder
        .connectString(connectString)
        .namespace(namespace)
        .sessionTimeoutMs((int) sessionTimeout.toMillis())
        .connectionTimeoutMs((int) connectionTimeout.toMillis())
        .retryPolicy(new ExponentialBackoffRetry(200, 5, 2_000))
        // The configured connect string is authoritative: Curator's ensemble tracker would replace
        // it with the servers' own addresses from /zookeeper/config, bypassing whatever the
        // operator put in between (a proxy, a DNS name, a firewall rule).
        .ensembleTracker(false)
        .build();
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private static SchedulerNode.Lifecycle lifecycle(Step start, Step close) {
    return new SchedulerNode.Lifecycle() {
      @Override
      public void start() throws Exception {
        start.run();
      }

      @Override
      public void close() throws Exception {
        close.run();
      }
    };
  }
}
