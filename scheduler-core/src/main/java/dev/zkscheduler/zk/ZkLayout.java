package dev.zkscheduler.zk;

import com.google.common.base.Preconditions;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Every ZooKeeper path zk-scheduler uses, relative to the Curator namespace (one per cluster). No
 * other class builds a path. See docs/zookeeper-layout.md for who writes each one.
 *
 * <pre>
 * /layout-version                      data: the layout version (integer, UTF-8)
 * /leader/latch/...                    Curator LeaderLatch participants (ephemeral sequential)
 * /leader/solo/{memberId}-{seq}         ephemeral: a node that leads with election off (single-node use)
 * /leader/epoch                        data version = fencing token of the current term; never deleted
 * /members/{memberId}                  ephemeral, one per live node
 * /workers/{memberId}~{session}        ephemeral, one per worker session: capacity, task types, draining
 * /assign/{worker}/{job}~{run}~{task}~{attempt}  an attempt given to a worker (leader, fenced, with
 *                                      the run change); the worker writes its report into it
 * /jobs/{bucket}/{jobId}               job definitions (any node, optimistic versions)
 * /schedule/{bucket}/{jobId}           schedule state and the job's runs in flight (leader, fenced)
 * /runs/{jobId}/{runId}                runs (leader, fenced); bounded per job by retention
 * /requests/{requestId}                control requests (any node creates, leader deletes fenced)
 * /locks/migration                     InterProcessMutex for layout migrations
 * /fencing/floor                       data: the fencing floor F (integer, UTF-8); token = F + czxid;
 *                                      absent means 0; written only by the fencing-floor command
 * /first-states-pending                data: when a term's plan began (ISO-8601 instant, UTF-8) whose
 *                                      first schedule states are not all written (leader, fenced)
 * </pre>
 *
 * <p>Jobs and schedule state live in {@value #BUCKETS} hashed buckets so that no single {@code
 * getChildren} ever returns more than a small share of all jobs, staying far below {@code
 * jute.maxbuffer}.
 */
public final class ZkLayout {

  /** Number of hash buckets for per-job records; a power of two, part of the layout version. */
  public static final int BUCKETS = 256;

  /**
   * The current layout version written to {@link #layoutVersion()}. 2 added {@code /workers} and
   * {@code /assign} (attempts run on workers): a node that knows only 1 refuses to start on it. 3
   * removed the active-run index {@code /active}: a job's runs in flight are listed in its schedule
   * state, which the leader writes in the multi that creates a run anyway.
   */
  public static final int LAYOUT_VERSION = 3;

  public String layoutVersion() {
    return "/layout-version";
  }

  public String leaderRoot() {
    return "/leader";
  }

  public String latch() {
    return "/leader/latch";
  }

  /** Parent of the claims of nodes that lead with leader election off. */
  public String soloRoot() {
    return "/leader/solo";
  }

  /** Prefix of the ephemeral sequential node a node with leader election off leads by. */
  public String solo(String memberId) {
    return soloRoot() + "/" + checkName(memberId) + "-";
  }

  /** The note of first schedule states a term planned and has not all written. */
  public String firstStatesPending() {
    return "/first-states-pending";
  }

  public String epoch() {
    return "/leader/epoch";
  }

  public String members() {
    return "/members";
  }

  public String member(String memberId) {
    return members() + "/" + checkName(memberId);
  }

  public String workers() {
    return "/workers";
  }

  /** A worker's registration; {@code worker} is {@code memberId~sessionId}. */
  public String worker(String worker) {
    return workers() + "/" + checkName(worker);
  }

  public String assignRoot() {
    return "/assign";
  }

  /** Parent of one worker's assignments. */
  public String assignments(String worker) {
    return assignRoot() + "/" + checkName(worker);
  }

  public String assignment(String worker, String key) {
    return assignments(worker) + "/" + checkName(key);
  }

  public String jobsRoot() {
    return "/jobs";
  }

  public String jobBucket(int bucket) {
    return jobsRoot() + "/" + bucketName(bucket);
  }

  public String job(String jobId) {
    return jobBucket(bucketOf(jobId)) + "/" + checkName(jobId);
  }

  public String scheduleRoot() {
    return "/schedule";
  }

  public String scheduleBucket(int bucket) {
    return scheduleRoot() + "/" + bucketName(bucket);
  }

  public String schedule(String jobId) {
    return scheduleBucket(bucketOf(jobId)) + "/" + checkName(jobId);
  }

  public String runsRoot() {
    return "/runs";
  }

  public String runs(String jobId) {
    return runsRoot() + "/" + checkName(jobId);
  }

  public String run(String jobId, String runId) {
    return runs(jobId) + "/" + checkName(runId);
  }

  /** The active-run index of layouts 1 and 2, read and removed by the migration to 3. */
  public String legacyActiveRoot() {
    return "/active";
  }

  public String legacyActiveBucket(int bucket) {
    return legacyActiveRoot() + "/" + bucketName(bucket);
  }

  public String requests() {
    return "/requests";
  }

  public String request(String requestId) {
    return requests() + "/" + checkName(requestId);
  }

  public String locksRoot() {
    return "/locks";
  }

  public String migrationLock() {
    return "/locks/migration";
  }

  /**
   * The fencing floor added to every assignment's {@code czxid} to make its token. Absent in a
   * cluster that was never restored or moved (a floor of 0), so it is no part of the layout
   * version.
   */
  public String fencingFloor() {
    return "/fencing/floor";
  }

  /** The bucket of a job id: stable across JVMs and versions (murmur3 of the UTF-8 id). */
  public static int bucketOf(String jobId) {
    return Math.floorMod(
        Hashing.murmur3_32_fixed().hashString(jobId, StandardCharsets.UTF_8).asInt(), BUCKETS);
  }

  static String bucketName(int bucket) {
    Preconditions.checkArgument(bucket >= 0 && bucket < BUCKETS, "bucket %s out of range", bucket);
    return String.format(java.util.Locale.ROOT, "%02x", bucket);
  }

  /**
   * Guards against a name that would change the path's shape. Callers validate user input with
   * field-level messages first; reaching this with a bad name is a bug.
   */
  private static String checkName(String name) {
    Preconditions.checkArgument(
        name != null
            && !name.isEmpty()
            && !name.equals(".")
            && !name.equals("..")
            && name.indexOf('/') < 0
            && name.chars().noneMatch(c -> c < 0x20 || c == 0x7f),
        "not a safe znode name: %s",
        name);
    return name;
  }
}
