package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.error.TooManyRequestsException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.store.codec.RequestCodec;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * {@link SchedulerStore} on ZooKeeper, in the layout of {@link ZkLayout}
 * (docs/zookeeper-layout.md).
 *
 * <p>Job definitions and requests are written directly with optimistic versions; schedule state and
 * runs only through {@link FencedTransaction}. No call lists a parent whose children are not
 * bounded: jobs and the active-run index are spread over {@value ZkLayout#BUCKETS} buckets, runs
 * per job are bounded by retention, requests by {@link StoreLimits#maxPendingRequests()}. Call
 * {@link #ensureLayout} (through {@link LayoutMigrator}) before use. Thread-safe.
 */
public final class ZkSchedulerStore implements SchedulerStore {

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final FencedTransaction fenced;
  private final StoreLimits limits;
  private final Counter oversized;

  public ZkSchedulerStore(
      CuratorFramework client,
      ZkLayout layout,
      FencedTransaction fenced,
      StoreLimits limits,
      MetricRegistry registry) {
    this.client = client;
    this.layout = layout;
    this.fenced = fenced;
    this.limits = limits;
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    this.oversized = metrics.counter(dev.zkscheduler.metrics.MetricNames.STORE_OVERSIZED);
  }

  // ---- job definitions ----

  @Override
  public Versioned<JobDefinition> createJob(JobDefinition job) {
    byte[] data = encodeJob(job);
    return call(
        () -> {
          try {
            client.create().forPath(layout.job(job.id()), data);
            return new Versioned<>(job, 0);
          } catch (KeeperException.NodeExistsException e) {
            throw new JobExistsException(job.id());
          }
        });
  }

  @Override
  public Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion) {
    byte[] data = encodeJob(job);
    String path = layout.job(job.id());
    return call(
        () -> {
          if (expectedVersion.isPresent()) {
            try {
              Stat stat =
                  client.setData().withVersion(expectedVersion.getAsInt()).forPath(path, data);
              return new Versioned<>(job, stat.getVersion());
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
              throw new VersionConflictException(
                  "job '" + job.id() + "' is not at version " + expectedVersion.getAsInt());
            }
          }
          while (true) {
            try {
              Stat stat = client.setData().forPath(path, data);
              return new Versioned<>(job, stat.getVersion());
            } catch (KeeperException.NoNodeException absent) {
              try {
                client.create().forPath(path, data);
                return new Versioned<>(job, 0);
              } catch (KeeperException.NodeExistsException raced) {
                // Created concurrently: replace it on the next turn.
              }
            }
          }
        });
  }

  @Override
  public boolean deleteJob(String jobId, OptionalInt expectedVersion) {
    return call(
        () -> {
          try {
            client.delete().withVersion(expectedVersion.orElse(-1)).forPath(layout.job(jobId));
            return true;
          } catch (KeeperException.NoNodeException e) {
            return false;
          } catch (KeeperException.BadVersionException e) {
            throw new VersionConflictException(
                "job '" + jobId + "' is not at version " + expectedVersion.getAsInt());
          }
        });
  }

  @Override
  public Optional<Versioned<JobDefinition>> job(String jobId) {
    return call(
        () ->
            read(layout.job(jobId))
                .map(v -> new Versioned<>(JobCodec.decode(v.value()), v.version())));
  }

  /**
   * Lists every bucket (each holds about 1/256 of the jobs, so no listing comes near {@code
   * jute.maxbuffer}), merges the ids in order and reads the page's definitions.
   */
  @Override
  public JobPage jobs(String afterId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    return call(
        () -> {
          List<String> ids = new ArrayList<>();
          for (List<String> bucket : listAll(jobBuckets()).values()) {
            for (String id : bucket) {
              if (afterId == null || id.compareTo(afterId) > 0) {
                ids.add(id);
              }
            }
          }
          ids.sort(null);
          List<String> wanted = ids.subList(0, Math.min(limit, ids.size()));
          Map<String, Versioned<byte[]>> data = readAll(wanted.stream().map(layout::job).toList());
          List<Versioned<JobDefinition>> page = new ArrayList<>();
          String last = null;
          for (String id : wanted) {
            Versioned<byte[]> job = data.get(layout.job(id));
            if (job != null) {
              page.add(new Versioned<>(JobCodec.decode(job.value()), job.version()));
              last = id;
            }
          }
          return new JobPage(page, wanted.size() < ids.size() ? last : null);
        });
  }

  /** Every definition, read with pipelined requests: 256 listings, then one read per job. */
  @Override
  public List<Versioned<JobDefinition>> allJobs() {
    return call(
        () -> {
          List<String> paths = new ArrayList<>();
          listAll(jobBuckets())
              .forEach((bucket, ids) -> ids.forEach(id -> paths.add(bucket + "/" + id)));
          List<Versioned<JobDefinition>> all = new ArrayList<>();
          readAll(paths)
              .values()
              .forEach(v -> all.add(new Versioned<>(JobCodec.decode(v.value()), v.version())));
          all.sort(Comparator.comparing(v -> v.value().id()));
          return all;
        });
  }

  /** Every job id: 256 pipelined bucket listings, no definition read. */
  @Override
  public Set<String> allJobIds() {
    return call(
        () -> {
          Set<String> ids = new HashSet<>();
          listAll(jobBuckets()).values().forEach(ids::addAll);
          return ids;
        });
  }

  @Override
  public Map<String, Versioned<ScheduleState>> scheduleStates(java.util.Collection<String> jobIds) {
    return call(
        () -> {
          Map<String, String> jobOfPath = new HashMap<>();
          for (String id : jobIds) {
            jobOfPath.put(layout.schedule(id), id);
          }
          Map<String, Versioned<ScheduleState>> states = new HashMap<>();
          readAll(new ArrayList<>(jobOfPath.keySet()))
              .forEach(
                  (path, v) ->
                      states.put(
                          jobOfPath.get(path),
                          new Versioned<>(ScheduleStateCodec.decode(v.value()), v.version())));
          return states;
        });
  }

  @Override
  public Map<String, Versioned<ScheduleState>> allScheduleStates() {
    return call(
        () -> {
          List<String> buckets = new ArrayList<>();
          for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
            buckets.add(layout.scheduleBucket(bucket));
          }
          List<String> paths = new ArrayList<>();
          Map<String, String> jobOfPath = new HashMap<>();
          listAll(buckets)
              .forEach(
                  (bucket, ids) ->
                      ids.forEach(
                          id -> {
                            paths.add(bucket + "/" + id);
                            jobOfPath.put(bucket + "/" + id, id);
                          }));
          Map<String, Versioned<ScheduleState>> states = new HashMap<>();
          readAll(paths)
              .forEach(
                  (path, v) ->
                      states.put(
                          jobOfPath.get(path),
                          new Versioned<>(ScheduleStateCodec.decode(v.value()), v.version())));
          return states;
        });
  }

  private List<String> jobBuckets() {
    List<String> buckets = new ArrayList<>();
    for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
      buckets.add(layout.jobBucket(bucket));
    }
    return buckets;
  }

  /** At most this many reads in flight: enough to keep the connection busy, bounded memory. */
  private static final int IN_FLIGHT = 512;

  /**
   * Reads many znodes with pipelined asynchronous requests, {@link #IN_FLIGHT} at a time: one round
   * trip's latency for the lot instead of one per znode. Missing znodes are left out.
   */
  private Map<String, Versioned<byte[]>> readAll(List<String> paths) throws Exception {
    return pipelined(
        paths,
        (path, callback) -> client.getData().inBackground(callback).forPath(path),
        event -> new Versioned<>(event.getData(), event.getStat().getVersion()),
        null);
  }

  /** Lists many parents with pipelined requests; a missing parent lists as empty. */
  private Map<String, List<String>> listAll(List<String> parents) throws Exception {
    return pipelined(
        parents,
        (path, callback) -> client.getChildren().inBackground(callback).forPath(path),
        CuratorEvent::getChildren,
        List.of());
  }

  @FunctionalInterface
  private interface AsyncCall {
    void start(String path, BackgroundCallback callback) throws Exception;
  }

  /**
   * Runs {@code read} for every path, at most {@link #IN_FLIGHT} in flight; a result per path,
   * {@code ifMissing} for a missing znode (left out when null), the first other error thrown.
   */
  private <T> Map<String, T> pipelined(
      List<String> paths, AsyncCall read, Function<CuratorEvent, T> value, T ifMissing)
      throws Exception {
    Map<String, T> out = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(IN_FLIGHT);
    CountDownLatch finished = new CountDownLatch(paths.size());
    AtomicReference<Exception> failure = new AtomicReference<>();
    for (String path : paths) {
      if (failure.get() != null) {
        break;
      }
      slots.acquire();
      read.start(
          path,
          (c, event) -> {
            KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
            // NODEEXISTS: a create of a parent that is there already (reads never see it).
            if (code == KeeperException.Code.OK || code == KeeperException.Code.NODEEXISTS) {
              out.put(path, value.apply(event));
            } else if (code == KeeperException.Code.NONODE) {
              if (ifMissing != null) {
                out.put(path, ifMissing);
              }
            } else {
              failure.compareAndSet(null, KeeperException.create(code, path));
            }
            slots.release();
            finished.countDown();
          });
    }
    if (failure.get() == null
        && !finished.await(
            client.getZookeeperClient().getConnectionTimeoutMs() * 10L, TimeUnit.MILLISECONDS)) {
      throw new StoreUnavailableException("ZooKeeper reads did not complete in time", null);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return out;
  }

  // ---- control requests ----

  @Override
  public void submitRequest(ControlRequest request) {
    byte[] data = checked("request " + request.id(), RequestCodec.encode(request));
    call(
        () -> {
          Stat parent = client.checkExists().forPath(layout.requests());
          if (parent != null && parent.getNumChildren() >= limits.maxPendingRequests()) {
            throw new TooManyRequestsException(limits.maxPendingRequests());
          }
          try {
            client.create().forPath(layout.request(request.id()), data);
          } catch (KeeperException.NodeExistsException duplicate) {
            // The same request submitted twice (a client retry): once is enough.
          }
          return null;
        });
  }

  @Override
  public List<ControlRequest> pendingRequests() {
    return call(
        () -> {
          List<ControlRequest> requests = new ArrayList<>();
          for (String id : client.getChildren().forPath(layout.requests())) {
            read(layout.request(id)).ifPresent(v -> requests.add(RequestCodec.decode(v.value())));
          }
          requests.sort(
              Comparator.comparing(ControlRequest::requestedAt).thenComparing(ControlRequest::id));
          return requests;
        });
  }

  // ---- scheduler state ----

  @Override
  public Optional<Versioned<ScheduleState>> scheduleState(String jobId) {
    return call(
        () ->
            read(layout.schedule(jobId))
                .map(v -> new Versioned<>(ScheduleStateCodec.decode(v.value()), v.version())));
  }

  @Override
  public Optional<Versioned<Run>> run(String jobId, String runId) {
    return call(
        () ->
            read(layout.run(jobId, runId))
                .map(v -> new Versioned<>(RunCodec.decode(v.value()), v.version())));
  }

  @Override
  public List<Versioned<Run>> runs(String jobId, int limit) {
    return call(
        () -> {
          List<String> ids;
          try {
            ids = new ArrayList<>(client.getChildren().forPath(layout.runs(jobId)));
          } catch (KeeperException.NoNodeException e) {
            return List.of();
          }
          ids.sort(Comparator.reverseOrder());
          List<Versioned<Run>> runs = new ArrayList<>();
          for (String id : ids) {
            if (runs.size() >= limit) {
              break;
            }
            read(layout.run(jobId, id))
                .ifPresent(v -> runs.add(new Versioned<>(RunCodec.decode(v.value()), v.version())));
          }
          return runs;
        });
  }

  @Override
  public List<String> runIds(String jobId) {
    return call(
        () -> {
          try {
            List<String> ids = new ArrayList<>(client.getChildren().forPath(layout.runs(jobId)));
            ids.sort(Comparator.reverseOrder());
            return ids;
          } catch (KeeperException.NoNodeException e) {
            return List.of();
          }
        });
  }

  @Override
  public List<Versioned<Run>> activeRuns() {
    return call(
        () -> {
          List<String> buckets = new ArrayList<>();
          for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
            buckets.add(layout.activeBucket(bucket));
          }
          List<String> paths = new ArrayList<>();
          for (List<String> entries : listAll(buckets).values()) {
            for (String entry : entries) {
              int split = entry.indexOf('~');
              paths.add(layout.run(entry.substring(0, split), entry.substring(split + 1)));
            }
          }
          List<Versioned<Run>> runs = new ArrayList<>();
          readAll(paths)
              .values()
              .forEach(v -> runs.add(new Versioned<>(RunCodec.decode(v.value()), v.version())));
          return runs;
        });
  }

  @Override
  public CommitResult commit(LeaderTerm term, List<StoreOp> ops) {
    Prepared prepared = prepare(term, List.of(ops)).get(0);
    return settled(ops, prepared, fenced.commit(term, prepared.curatorOps()));
  }

  /** Fenced multis in flight at once: enough for ZooKeeper to sync them to its log together. */
  private static final int COMMITS_IN_FLIGHT = 16;

  @Override
  public List<CommitResult> commitEach(LeaderTerm term, List<List<StoreOp>> batches) {
    if (batches.size() == 1) {
      return List.of(commit(term, batches.get(0)));
    }
    List<Prepared> prepared = prepare(term, batches);
    List<List<CuratorOp>> multis = new ArrayList<>(prepared.size());
    prepared.forEach(p -> multis.add(p.curatorOps()));
    List<CommitResult> raw =
        fenced.commitEach(term, multis, COMMITS_IN_FLIGHT, answerTimeoutMillis());
    List<CommitResult> results = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      results.add(settled(batches.get(i), prepared.get(i), raw.get(i)));
    }
    return results;
  }

  /** How long to wait for an answer: after a session timeout without one, the session is gone. */
  private long answerTimeoutMillis() {
    long connection = client.getZookeeperClient().getConnectionTimeoutMs();
    try {
      return Math.max(connection, client.getZookeeperClient().getZooKeeper().getSessionTimeout());
    } catch (Exception notConnected) {
      return connection;
    }
  }

  /** A batch translated to ZooKeeper ops, with the index of the store op each one came from. */
  private record Prepared(List<CuratorOp> curatorOps, List<Integer> origin) {}

  /** Translates and size-checks every batch, and makes sure the runs parents they need exist. */
  private List<Prepared> prepare(LeaderTerm term, List<List<StoreOp>> batches) {
    forgetParentsOfEarlierTerms(term);
    List<Prepared> prepared = new ArrayList<>(batches.size());
    Set<String> runParents = new HashSet<>();
    try {
      for (List<StoreOp> ops : batches) {
        List<CuratorOp> curatorOps = new ArrayList<>();
        List<Integer> origin = new ArrayList<>();
        int[] bytes = {0};
        for (int i = 0; i < ops.size(); i++) {
          StoreOp op = ops.get(i);
          if (op instanceof StoreOp.DeleteRequest delete
              && client.checkExists().forPath(layout.request(delete.requestId())) == null) {
            continue; // Already consumed: deleting it again is not a conflict.
          }
          for (CuratorOp curatorOp : translate(op, runParents, bytes)) {
            curatorOps.add(curatorOp);
            origin.add(i);
          }
        }
        if (bytes[0] > limits.maxCommitBytes()) {
          oversized.inc();
          throw new RecordTooLargeException(
              "a commit of " + ops.size() + " ops", bytes[0], limits.maxCommitBytes());
        }
        prepared.add(new Prepared(curatorOps, origin));
      }
      ensureRunParents(runParents);
    } catch (RecordTooLargeException | FencingException | StoreUnavailableException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("preparing a commit failed: " + e, e);
    }
    return prepared;
  }

  /** Maps a failed op back to the caller's op, and keeps the runs-parent cache honest. */
  private CommitResult settled(List<StoreOp> ops, Prepared prepared, CommitResult result) {
    if (!result.committed()) {
      if (result.outcome() != CommitResult.Outcome.EXISTED) {
        // A parent this node thought was there may be gone (removed with its job): check again.
        parentsKnownInTerm = NOT_CHECKED;
      }
      return new CommitResult(result.outcome(), prepared.origin().get(result.failedOp()));
    }
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.PutScheduleState put && put.expectedVersion() == StoreOp.CREATE) {
        String parent = layout.runs(put.state().jobId());
        if (!knownRunParents.contains(parent)) {
          newJobParents.add(parent);
        }
      }
      if (op instanceof StoreOp.DeleteScheduleState deleted) {
        knownRunParents.remove(layout.runs(deleted.jobId()));
        removeEmptyRunsParent(deleted.jobId());
      }
    }
    return result;
  }

  /**
   * The ZooKeeper ops of {@code op}; adds the bytes it writes to {@code bytes[0]} (each record is
   * encoded once: encoding runs twice, to size and to write, showed in profiles of the peak rate).
   */
  private List<CuratorOp> translate(StoreOp op, Set<String> runParents, int[] bytes)
      throws Exception {
    List<CuratorOp> out = new ArrayList<>(2);
    bytes[0] += OTHER_OP_BYTES;
    if (op instanceof StoreOp.CreateRun create) {
      Run run = create.run();
      runParents.add(layout.runs(run.jobId()));
      byte[] data = encodeRun(run);
      bytes[0] += data.length;
      out.add(client.transactionOp().create().forPath(layout.run(run.jobId(), run.id()), data));
      if (!run.state().isTerminal()) {
        out.add(client.transactionOp().create().forPath(layout.active(run.jobId(), run.id())));
      }
    } else if (op instanceof StoreOp.UpdateRun update) {
      Run run = update.run();
      byte[] data = encodeRun(run);
      bytes[0] += data.length;
      out.add(
          client
              .transactionOp()
              .setData()
              .withVersion(update.expectedVersion())
              .forPath(layout.run(run.jobId(), run.id()), data));
      if (run.state().isTerminal()) {
        out.add(client.transactionOp().delete().forPath(layout.active(run.jobId(), run.id())));
      }
    } else if (op instanceof StoreOp.DeleteRun delete) {
      out.add(
          client
              .transactionOp()
              .delete()
              .withVersion(delete.expectedVersion())
              .forPath(layout.run(delete.jobId(), delete.runId())));
    } else if (op instanceof StoreOp.PutScheduleState put) {
      byte[] data =
          checked(
              "schedule state of " + put.state().jobId(), ScheduleStateCodec.encode(put.state()));
      bytes[0] += data.length;
      String path = layout.schedule(put.state().jobId());
      out.add(
          put.expectedVersion() == StoreOp.CREATE
              ? client.transactionOp().create().forPath(path, data)
              : client
                  .transactionOp()
                  .setData()
                  .withVersion(put.expectedVersion())
                  .forPath(path, data));
    } else if (op instanceof StoreOp.DeleteScheduleState delete) {
      if (client.checkExists().forPath(layout.schedule(delete.jobId())) != null) {
        out.add(client.transactionOp().delete().forPath(layout.schedule(delete.jobId())));
      }
    } else if (op instanceof StoreOp.DeleteRequest delete) {
      out.add(client.transactionOp().delete().forPath(layout.request(delete.requestId())));
    }
    return out;
  }

  /** What an op costs in a multi besides its data (path, header): a deliberate overestimate. */
  private static final int OTHER_OP_BYTES = 64;

  private void removeEmptyRunsParent(String jobId) {
    try {
      client.delete().forPath(layout.runs(jobId));
    } catch (Exception notEmptyOrGone) {
      // Runs remain (the leader prunes them) or it is already gone: both fine.
    }
  }

  // ---- helpers ----

  private byte[] encodeJob(JobDefinition job) {
    try {
      return JobCodec.encode(job);
    } catch (RecordTooLargeException e) {
      oversized.inc();
      throw e;
    }
  }

  private byte[] encodeRun(Run run) {
    return checked("run " + run.id(), RunCodec.encode(run));
  }

  private byte[] checked(String what, byte[] data) {
    if (data.length > limits.maxRecordBytes()) {
      oversized.inc();
      throw new RecordTooLargeException(what, data.length, limits.maxRecordBytes());
    }
    return data;
  }

  /**
   * Run parents known to exist, so that creating runs costs no extra round trip per job: checking
   * each parent before every commit of fires was one synchronous ZooKeeper write per job per
   * commit, the engine's first bottleneck (found by scheduler-bench). Forgotten in each new term
   * and after a commit that failed for another reason than a run that existed.
   */
  private final Set<String> knownRunParents = ConcurrentHashMap.newKeySet();

  /**
   * Runs parents of jobs whose schedule state this store created in the current term: new jobs,
   * whose parent is created without checking first (a burst of 10,000 new jobs spent 0.6 s on reads
   * that could only say "missing").
   */
  private final Set<String> newJobParents = ConcurrentHashMap.newKeySet();

  private static final long NOT_CHECKED = Long.MIN_VALUE;

  /** The epoch of the term in which {@link #knownRunParents} was last valid. */
  private volatile long parentsKnownInTerm = NOT_CHECKED;

  /**
   * Makes sure the runs parents of a commit exist. A new leader creating its first fires used to
   * create each job's parent with one synchronous write: 1,000 jobs took seconds of a failover
   * (found by scheduler-bench's failover figure). Now the unknown parents are checked with
   * pipelined reads and the missing ones created with pipelined requests: a round trip or two for
   * all. ({@code /runs} itself is not listed: with one child per job it outgrows a ZooKeeper
   * response at ~100,000 jobs.)
   */
  /** What this store knows of runs parents holds for one term only. */
  private void forgetParentsOfEarlierTerms(LeaderTerm term) {
    if (parentsKnownInTerm != term.epoch()) {
      knownRunParents.clear();
      newJobParents.clear();
      parentsKnownInTerm = term.epoch();
    }
  }

  private void ensureRunParents(Set<String> parents) throws Exception {
    if (parents.isEmpty()) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String parent : parents) {
      if (newJobParents.remove(parent)) {
        missing.add(parent); // a job this term created: its parent is most likely missing
      } else if (!knownRunParents.contains(parent)) {
        unknown.add(parent);
      }
    }
    if (!unknown.isEmpty()) {
      Map<String, Boolean> exists =
          pipelined(
              unknown,
              (path, callback) -> client.checkExists().inBackground(callback).forPath(path),
              event -> Boolean.TRUE,
              Boolean.FALSE);
      for (String parent : unknown) {
        if (Boolean.TRUE.equals(exists.get(parent))) {
          knownRunParents.add(parent);
        } else {
          missing.add(parent);
        }
      }
    }
    if (!missing.isEmpty()) {
      // Created (or found created: NODEEXISTS) parents come back in the map; only those are known.
      knownRunParents.addAll(
          pipelined(
                  missing,
                  (path, callback) -> client.create().inBackground(callback).forPath(path),
                  CuratorEvent::getPath,
                  null)
              .keySet());
    }
  }

  private Optional<Versioned<byte[]>> read(String path) throws Exception {
    Stat stat = new Stat();
    try {
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      return Optional.of(new Versioned<>(data, stat.getVersion()));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  @FunctionalInterface
  private interface ZkCall<T> {
    T call() throws Exception;
  }

  /** Runs a ZooKeeper call, turning connection trouble into {@link StoreUnavailableException}. */
  private static <T> T call(ZkCall<T> call) {
    try {
      return call.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("ZooKeeper call failed: " + e, e);
    }
  }
}
