package dev.zkscheduler.metrics;

/**
 * Every metric name zk-scheduler registers, in one place. Names are dotted Dropwizard names, units
 * as documented per name. The service's Prometheus export gives each of them a Prometheus name
 * (base units, {@code _total} counters, states as labels; {@code
 * dev.zkscheduler.service.metrics.PrometheusNames}), and its tests fail for a name added here
 * without one.
 */
public final class MetricNames {

  private MetricNames() {}

  private static final String PREFIX = "zkscheduler.";

  // ---- leadership and fencing ----

  /** Gauge: 1 while this node holds a current leader term, else 0. */
  public static final String LEADER = PREFIX + "leader";

  /** Gauge: the epoch (fencing token) of this node's current term, or of the last term it saw. */
  public static final String EPOCH = PREFIX + "epoch";

  /** Counter: terms this node has taken. */
  public static final String TERMS_STARTED = PREFIX + "terms.started";

  /** Counter: scheduler-state writes refused because the writer's term had ended. */
  public static final String FENCING_REJECTIONS = PREFIX + "fencing.rejections";

  /**
   * Gauge (ms): this node's clock minus ZooKeeper's, as measured when it last took a term; positive
   * when this node is ahead. Absent until the node first leads.
   */
  public static final String CLOCK_SKEW = PREFIX + "cluster.clock.skew";

  /** Gauge: 1 while the ZooKeeper connection is usable (CONNECTED/RECONNECTED), else 0. */
  public static final String ZK_CONNECTED = PREFIX + "zookeeper.connected";

  /** Counter: ZooKeeper connection state changes to SUSPENDED. */
  public static final String ZK_SUSPENDED = PREFIX + "zookeeper.suspended";

  /** Counter: ZooKeeper sessions lost (LOST). */
  public static final String ZK_LOST = PREFIX + "zookeeper.lost";

  // ---- store ----

  /** Timer: fenced commits. */
  public static final String STORE_COMMITS = PREFIX + "store.commits";

  /**
   * Counter: ZooKeeper ops the leader's fenced multis sent besides their two fence checks (writes,
   * and the check of a worker's node before assigning to it), every send counted.
   */
  public static final String STORE_COMMIT_OPS = PREFIX + "store.commit.ops";

  /** Counter: fence checks the leader's fenced multis sent (two per multi, every send counted). */
  public static final String STORE_COMMIT_FENCE_CHECKS = PREFIX + "store.commit.fence.checks";

  /** Counter: fenced commits refused by a data precondition (EXISTED or CONFLICT). */
  public static final String STORE_CONFLICTS = PREFIX + "store.conflicts";

  /** Counter: writes refused before touching ZooKeeper because a record was over budget. */
  public static final String STORE_OVERSIZED = PREFIX + "store.oversized";

  /** Gauge: znodes under the cluster's namespace (sampled every 30 s). */
  public static final String STORE_ZNODES = PREFIX + "store.znodes";

  /** Gauge: job definitions stored (sampled every 30 s). */
  public static final String STORE_JOBS = PREFIX + "store.jobs";

  /** Gauge: run records stored, all jobs (sampled every 30 s). */
  public static final String STORE_RUNS = PREFIX + "store.runs";

  /**
   * Gauge: runs not yet terminal, as the leader holds them (every non-terminal run is held by the
   * leader); 0 on a node that does not lead, so the cluster's value is the maximum over its nodes.
   */
  public static final String STORE_ACTIVE_RUNS = PREFIX + "store.runs.active";

  /** Gauge: control requests waiting for the leader (sampled every 30 s). */
  public static final String STORE_PENDING_REQUESTS = PREFIX + "store.requests.pending";

  /** Counter: job definitions in ZooKeeper that could not be decoded (skipped, logged). */
  public static final String STORE_UNREADABLE = PREFIX + "store.unreadable";

  // ---- engine ----

  /** Meter: runs created for scheduled fires (incl. caught-up and skipped-by-policy runs). */
  public static final String FIRES = PREFIX + "engine.fires";

  /**
   * Histogram (ms): nominal fire instant to the first task's handler start, for SCHEDULE runs
   * (backfill and catch-up runs are late by design and not counted).
   */
  public static final String FIRE_LAG = PREFIX + "engine.fire.lag";

  /** Counter: a run create found the run already there: a duplicate fire prevented (G2). */
  public static final String DUPLICATES_PREVENTED = PREFIX + "engine.duplicates.prevented";

  /** Counter: due fires skipped by a misfire policy. */
  public static final String MISFIRES_SKIPPED = PREFIX + "engine.misfires.skipped";

  /** Counter: missed fires fired late by FIRE_ONCE or CATCH_UP. */
  public static final String MISFIRES_CAUGHT_UP = PREFIX + "engine.misfires.caught.up";

  /** Counter: task attempts retried. */
  public static final String RETRIES = PREFIX + "engine.retries";

  /**
   * Counter: control requests dropped because their job does not exist (deleted before the leader
   * got to the request). Their run ids never exist.
   */
  public static final String REQUESTS_DROPPED = PREFIX + "engine.requests.dropped";

  /**
   * Counter: runs not started because their job had the most runs in flight a job may have (1,000):
   * scheduled fires recorded SKIPPED, manual and backfill runs not created.
   */
  public static final String RUNS_OVER_INFLIGHT_CAP = PREFIX + "engine.runs.overinflightcap";

  /** Counter prefix: runs that ended, by terminal state ({@code ...runs.ended.SUCCEEDED}). */
  public static final String RUNS_ENDED = PREFIX + "engine.runs.ended";

  /**
   * Counter: runs ended FAILED because processing them threw (a run that cannot be driven); the
   * tick went on with the other runs. Also counted in {@link #RUNS_ENDED}{@code .FAILED}.
   */
  public static final String RUNS_FAILED_ALONE = PREFIX + "engine.runs.failed.alone";

  /**
   * Counter: jobs whose processing in a tick threw; each is out of the fire plan until edited or a
   * new term, and the tick went on with the other jobs.
   */
  public static final String JOBS_FAILED_ALONE = PREFIX + "engine.jobs.failed.alone";

  /** Gauge: non-terminal runs the leader drives. */
  public static final String RUNS_ACTIVE = PREFIX + "engine.runs.active";

  /** Gauge: task handlers running on this node. */
  public static final String TASKS_RUNNING = PREFIX + "engine.tasks.running";

  /**
   * Counter (leader): attempts lost because their worker's session ended before it reported; each
   * is offered again under its task's retry policy.
   */
  public static final String ATTEMPTS_LOST = PREFIX + "engine.attempts.lost";

  /** Gauge (leader): attempts assigned to workers and not settled yet, across the cluster. */
  public static final String TASKS_ASSIGNED = PREFIX + "engine.tasks.assigned";

  /**
   * Gauge (leader): runs with a ready task that found no worker with a free slot and the task type,
   * waiting in line (oldest first) after the last tick; their attempt is not counted yet.
   */
  public static final String TASKS_QUEUED = PREFIX + "engine.tasks.queued";

  /**
   * Counter (leader): ticks that wrote as many fires as a tick may ({@code
   * EngineSettings.maxFiresPerTick}) and left due fires for the next: the leader fires at its
   * limit.
   */
  public static final String TICKS_SATURATED = PREFIX + "engine.ticks.saturated";

  /**
   * Gauge: the highest fencing token this node's worker handed to a handler since it started (0
   * before the first): the number to raise the fencing floor past after a restore or a move.
   */
  public static final String WORKER_FENCING_TOKEN_MAX = PREFIX + "worker.fencing.token.max";

  /** Gauge: live workers the leader sees. */
  public static final String WORKERS_LIVE = PREFIX + "engine.workers.live";

  /** Timer: one leader tick. */
  public static final String TICK = PREFIX + "engine.tick";

  /** Gauge (ms): age of the last tick, leader or follower. */
  public static final String TICK_AGE = PREFIX + "engine.tick.age";

  public static String runsEnded(Enum<?> state) {
    return RUNS_ENDED + "." + state.name();
  }
}
