package dev.zkscheduler.store.memory;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.TooManyRequestsException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.ListedRuns;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.store.codec.RequestCodec;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link SchedulerStore} in memory, for fast engine tests and single-process use. It hands out its
 * own leader terms ({@link #newTerm}); taking a new term makes every older one stale, and a commit
 * under a stale term throws {@link FencingException}, as ZooKeeper would refuse it. Records are
 * stored encoded, so size budgets and codec round-trips behave as in the real store. Thread-safe:
 * every method holds one lock.
 */
public final class InMemorySchedulerStore implements SchedulerStore {

  /** {@code created}: a job record's creation identity (0 for the other records). */
  private record Record(byte[] data, int version, long created) {
    Record(byte[] data, int version) {
      this(data, version, 0L);
    }
  }

  /** The last creation identity given to a job record (ZooKeeper's czxid plays this role). */
  private long creations;

  private final StoreLimits limits;
  private final TreeMap<String, Record> jobs = new TreeMap<>();
  private final Map<String, Record> schedules = new HashMap<>();

  /** See {@link StoreOp.MarkFirstStatesPending}; null when absent. Guarded by this. */
  private Instant firstStatesPendingSince;

  private final Map<String, TreeMap<String, Record>> runs = new HashMap<>();
  private final TreeMap<String, Record> requests = new TreeMap<>();
  private long epoch;

  private final InMemoryAssignments assignments = new InMemoryAssignments();

  public InMemorySchedulerStore(StoreLimits limits) {
    this.limits = limits;
  }

  public InMemorySchedulerStore() {
    this(StoreLimits.DEFAULT);
  }

  /** A term that is current until the next call, or until it is ended. */
  public synchronized LeaderTerm newTerm(String memberId, Instant now) {
    long mine = ++epoch;
    AtomicBoolean current = new AtomicBoolean(true);
    InMemorySchedulerStore store = this;
    return new LeaderTerm() {
      @Override
      public long epoch() {
        return mine;
      }

      @Override
      public String memberId() {
        return memberId;
      }

      @Override
      public Instant startedAt() {
        return now;
      }

      @Override
      public boolean isCurrent() {
        synchronized (store) {
          return current.get() && store.epoch == mine;
        }
      }

      @Override
      public String toString() {
        return "in-memory term " + mine + " of " + memberId;
      }
    };
  }

  // ---- job definitions ----

  @Override
  public synchronized Versioned<JobDefinition> createJob(JobDefinition job) {
    byte[] data = JobCodec.encode(job);
    if (jobs.containsKey(job.id())) {
      throw new JobExistsException(job.id());
    }
    long created = ++creations;
    jobs.put(job.id(), new Record(data, 0, created));
    return new Versioned<>(job, 0, created);
  }

  @Override
  public synchronized Versioned<JobDefinition> putJob(
      JobDefinition job, OptionalInt expectedVersion) {
    byte[] data = JobCodec.encode(job);
    Record existing = jobs.get(job.id());
    if (expectedVersion.isPresent()
        && (existing == null || existing.version() != expectedVersion.getAsInt())) {
      throw new VersionConflictException(
          "job '" + job.id() + "' is not at version " + expectedVersion.getAsInt());
    }
    int version = existing == null ? 0 : existing.version() + 1;
    long created = existing == null ? ++creations : existing.created();
    jobs.put(job.id(), new Record(data, version, created));
    return new Versioned<>(job, version, created);
  }

  @Override
  public synchronized boolean deleteJob(String jobId, OptionalInt expectedVersion) {
    Record existing = jobs.get(jobId);
    if (existing == null) {
      return false;
    }
    if (expectedVersion.isPresent() && existing.version() != expectedVersion.getAsInt()) {
      throw new VersionConflictException(
          "job '" + jobId + "' is not at version " + expectedVersion.getAsInt());
    }
    jobs.remove(jobId);
    return true;
  }

  @Override
  public synchronized Optional<Versioned<JobDefinition>> job(String jobId) {
    return Optional.ofNullable(jobs.get(jobId))
        .map(r -> new Versioned<>(JobCodec.decode(r.data()), r.version(), r.created()));
  }

  @Override
  public synchronized JobPage jobs(String afterId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    Map<String, Record> tail = afterId == null ? jobs : jobs.tailMap(afterId, false);
    List<Versioned<JobDefinition>> page = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (Map.Entry<String, Record> e : tail.entrySet()) {
      if (page.size() == limit) {
        more = true;
        break;
      }
      Record r = e.getValue();
      page.add(new Versioned<>(JobCodec.decode(r.data()), r.version(), r.created()));
      last = e.getKey();
    }
    return new JobPage(page, more ? last : null);
  }

  @Override
  public synchronized List<Versioned<JobDefinition>> allJobs() {
    return jobs(null, Integer.MAX_VALUE).jobs();
  }

  // ---- control requests ----

  @Override
  public synchronized void submitRequest(ControlRequest request) {
    byte[] data = checked("request " + request.id(), RequestCodec.encode(request));
    if (requests.size() >= limits.maxPendingRequests()) {
      throw new TooManyRequestsException(limits.maxPendingRequests());
    }
    requests.putIfAbsent(request.id(), new Record(data, 0));
  }

  @Override
  public synchronized List<ControlRequest> pendingRequests() {
    List<ControlRequest> list = new ArrayList<>();
    requests.values().forEach(r -> list.add(RequestCodec.decode(r.data())));
    list.sort(Comparator.comparing(ControlRequest::requestedAt).thenComparing(ControlRequest::id));
    return list;
  }

  // ---- scheduler state ----

  @Override
  public synchronized Map<String, Versioned<ScheduleState>> scheduleStates(
      java.util.Collection<String> jobIds) {
    Map<String, Versioned<ScheduleState>> found = new HashMap<>();
    for (String id : jobIds) {
      scheduleState(id).ifPresent(v -> found.put(id, v));
    }
    return found;
  }

  @Override
  public synchronized Map<String, Versioned<ScheduleState>> allScheduleStates() {
    Map<String, Versioned<ScheduleState>> all = new HashMap<>();
    schedules.forEach(
        (id, r) -> all.put(id, new Versioned<>(ScheduleStateCodec.decode(r.data()), r.version())));
    return all;
  }

  @Override
  public synchronized Optional<Instant> firstStatesPendingSince() {
    return Optional.ofNullable(firstStatesPendingSince);
  }

  @Override
  public synchronized Optional<Versioned<ScheduleState>> scheduleState(String jobId) {
    return Optional.ofNullable(schedules.get(jobId))
        .map(r -> new Versioned<>(ScheduleStateCodec.decode(r.data()), r.version()));
  }

  @Override
  public synchronized Optional<Versioned<Run>> run(String jobId, String runId) {
    TreeMap<String, Record> jobRuns = runs.get(jobId);
    return Optional.ofNullable(jobRuns == null ? null : jobRuns.get(runId))
        .map(r -> new Versioned<>(RunCodec.decode(r.data()), r.version()));
  }

  @Override
  public synchronized List<Versioned<Run>> runs(String jobId, int limit) {
    TreeMap<String, Record> jobRuns = runs.getOrDefault(jobId, new TreeMap<>());
    List<Versioned<Run>> list = new ArrayList<>();
    for (Record r : jobRuns.descendingMap().values()) {
      if (list.size() >= limit) {
        break;
      }
      list.add(new Versioned<>(RunCodec.decode(r.data()), r.version()));
    }
    return list;
  }

  @Override
  public synchronized List<String> runIds(String jobId) {
    return List.copyOf(runs.getOrDefault(jobId, new TreeMap<>()).descendingKeySet());
  }

  @Override
  public synchronized List<AssignedAttempt> assignments() {
    return assignments.all();
  }

  /** The in-process worker's and leader's view of these assignments (see {@link LocalWorkers}). */
  public LocalWorkers localWorkers(String memberId) {
    return new LocalWorkers(this, memberId);
  }

  void listen(InMemoryAssignments.Listener listener) {
    assignments.listen(listener);
  }

  void unlisten(InMemoryAssignments.Listener listener) {
    assignments.unlisten(listener);
  }

  Map<String, dev.zkscheduler.cluster.WorkerInfo> workers() {
    return assignments.workers();
  }

  synchronized java.util.Optional<AttemptReport> reported(Assignment assignment) {
    AssignedAttempt found = assignments.find(assignment);
    return found == null
        ? java.util.Optional.empty()
        : java.util.Optional.ofNullable(found.report());
  }

  /** Writes a report if the assignment is there and unreported; whether it was written. */
  synchronized boolean report(Assignment assignment, AttemptReport report) {
    return assignments.report(assignment, report);
  }

  /**
   * As ZooKeeper's store: only the runs the schedule states list are found, so a run the leader
   * created without listing it is as lost to a new leader here as it would be there.
   */
  @Override
  public synchronized ListedRuns listedRuns(java.util.Collection<Versioned<ScheduleState>> states) {
    List<Versioned<Run>> active = new ArrayList<>();
    Map<String, java.util.Set<String>> ended = new HashMap<>();
    for (Versioned<ScheduleState> state : states) {
      String jobId = state.value().jobId();
      TreeMap<String, Record> jobRuns = runs.getOrDefault(jobId, new TreeMap<>());
      for (String runId : state.value().activeRunIds()) {
        Record r = jobRuns.get(runId);
        Run run = r == null ? null : RunCodec.decode(r.data());
        if (run == null || run.state().isTerminal()) {
          ended.computeIfAbsent(jobId, id -> new java.util.HashSet<>()).add(runId);
        } else {
          active.add(new Versioned<>(run, r.version()));
        }
      }
    }
    return new ListedRuns(active, ended);
  }

  /** As ZooKeeper's store: every batch's size is checked before any batch is written. */
  @Override
  public synchronized List<CommitResult> commitEach(LeaderTerm term, List<List<StoreOp>> batches) {
    for (List<StoreOp> batch : batches) {
      checkCommitSize(batch);
    }
    List<CommitResult> results = new ArrayList<>(batches.size());
    for (List<StoreOp> batch : batches) {
      results.add(commit(term, batch));
    }
    return results;
  }

  private void checkCommitSize(List<StoreOp> ops) {
    int bytes = 0;
    for (StoreOp op : ops) {
      byte[] data = encode(op);
      bytes += data == null ? 64 : data.length;
    }
    if (bytes > limits.maxCommitBytes()) {
      throw new RecordTooLargeException(
          "a commit of " + ops.size() + " ops", bytes, limits.maxCommitBytes());
    }
  }

  @Override
  public synchronized CommitResult commit(LeaderTerm term, List<StoreOp> ops) {
    if (!term.isCurrent() || term.epoch() != epoch) {
      throw new FencingException(
          term.epoch(), "term " + term.epoch() + " is over: the current epoch is " + epoch);
    }
    int bytes = 0;
    List<byte[]> encoded = new ArrayList<>();
    for (StoreOp op : ops) {
      byte[] data = encode(op);
      encoded.add(data);
      bytes += data == null ? 64 : data.length;
    }
    if (bytes > limits.maxCommitBytes()) {
      throw new RecordTooLargeException(
          "a commit of " + ops.size() + " ops", bytes, limits.maxCommitBytes());
    }
    // Check every precondition first, then apply: all or nothing.
    Map<String, Record> scheduleView = new HashMap<>(schedules);
    Map<String, Map<String, Record>> runView = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      CommitResult.Outcome failure = check(ops.get(i), scheduleView, runView);
      if (failure != null) {
        return new CommitResult(failure, i);
      }
    }
    assignments.beginCommit(ops);
    for (int i = 0; i < ops.size(); i++) {
      apply(ops.get(i), encoded.get(i));
    }
    assignments.announce(ops);
    return CommitResult.COMMITTED;
  }

  private byte[] encode(StoreOp op) {
    if (op instanceof StoreOp.CreateRun c) {
      return checked("run " + c.run().id(), RunCodec.encode(c.run()));
    }
    if (op instanceof StoreOp.UpdateRun u) {
      return checked("run " + u.run().id(), RunCodec.encode(u.run()));
    }
    if (op instanceof StoreOp.PutScheduleState p) {
      return checked(
          "schedule state of " + p.state().jobId(), ScheduleStateCodec.encode(p.state()));
    }
    return null;
  }

  /** Simulates the op against views of the state; returns the failure or null. */
  private CommitResult.Outcome check(
      StoreOp op, Map<String, Record> scheduleView, Map<String, Map<String, Record>> runView) {
    if (op instanceof StoreOp.CreateRun c) {
      Map<String, Record> jobRuns = runView(runView, c.run().jobId());
      if (jobRuns.containsKey(c.run().id())) {
        return CommitResult.Outcome.EXISTED;
      }
      jobRuns.put(c.run().id(), new Record(null, 0));
    } else if (op instanceof StoreOp.UpdateRun u) {
      Map<String, Record> jobRuns = runView(runView, u.run().jobId());
      Record r = jobRuns.get(u.run().id());
      if (r == null || r.version() != u.expectedVersion()) {
        return CommitResult.Outcome.CONFLICT;
      }
      jobRuns.put(u.run().id(), new Record(null, r.version() + 1));
    } else if (op instanceof StoreOp.DeleteRun d) {
      Map<String, Record> jobRuns = runView(runView, d.jobId());
      Record r = jobRuns.get(d.runId());
      if (r == null || (d.expectedVersion() != -1 && r.version() != d.expectedVersion())) {
        return CommitResult.Outcome.CONFLICT;
      }
      jobRuns.remove(d.runId());
    } else if (op instanceof StoreOp.PutScheduleState p) {
      Record r = scheduleView.get(p.state().jobId());
      if (p.expectedVersion() == StoreOp.CREATE) {
        if (r != null) {
          return CommitResult.Outcome.EXISTED;
        }
        scheduleView.put(p.state().jobId(), new Record(null, 0));
      } else {
        if (r == null || r.version() != p.expectedVersion()) {
          return CommitResult.Outcome.CONFLICT;
        }
        scheduleView.put(p.state().jobId(), new Record(null, r.version() + 1));
      }
    } else if (op instanceof StoreOp.DeleteScheduleState d) {
      scheduleView.remove(d.jobId());
    } else if (op instanceof StoreOp.Assign a) {
      if (assignments.find(a.assignment()) != null) {
        return CommitResult.Outcome.EXISTED;
      }
    } else if (op instanceof StoreOp.Unassign u) {
      if (assignments.find(u.assignment()) == null) {
        return CommitResult.Outcome.CONFLICT;
      }
    }
    return null;
  }

  private Map<String, Record> runView(Map<String, Map<String, Record>> view, String jobId) {
    return view.computeIfAbsent(jobId, id -> new HashMap<>(runs.getOrDefault(id, new TreeMap<>())));
  }

  private void apply(StoreOp op, byte[] data) {
    if (op instanceof StoreOp.CreateRun c) {
      runs.computeIfAbsent(c.run().jobId(), id -> new TreeMap<>())
          .put(c.run().id(), new Record(data, 0));
    } else if (op instanceof StoreOp.UpdateRun u) {
      TreeMap<String, Record> jobRuns = runs.get(u.run().jobId());
      jobRuns.put(u.run().id(), new Record(data, jobRuns.get(u.run().id()).version() + 1));
    } else if (op instanceof StoreOp.DeleteRun d) {
      TreeMap<String, Record> jobRuns = runs.get(d.jobId());
      jobRuns.remove(d.runId());
      if (jobRuns.isEmpty()) {
        runs.remove(d.jobId());
      }
    } else if (op instanceof StoreOp.PutScheduleState p) {
      Record old = schedules.get(p.state().jobId());
      schedules.put(p.state().jobId(), new Record(data, old == null ? 0 : old.version() + 1));
    } else if (op instanceof StoreOp.DeleteScheduleState d) {
      schedules.remove(d.jobId());
    } else if (op instanceof StoreOp.DeleteRequest d) {
      requests.remove(d.requestId());
    } else if (op instanceof StoreOp.MarkFirstStatesPending mark) {
      firstStatesPendingSince = mark.since();
    } else if (op instanceof StoreOp.ClearFirstStatesPending) {
      firstStatesPendingSince = null;
    } else if (op instanceof StoreOp.Assign a) {
      assignments.apply(a);
    } else if (op instanceof StoreOp.Unassign u) {
      assignments.apply(u);
    }
  }

  private byte[] checked(String what, byte[] data) {
    if (data.length > limits.maxRecordBytes()) {
      throw new RecordTooLargeException(what, data.length, limits.maxRecordBytes());
    }
    return data;
  }
}
