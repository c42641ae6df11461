package dev.zkscheduler;

import dev.zkscheduler.backend.Backend;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.engine.Engine;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.engine.RunIds;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.NoSuchJobException;
import dev.zkscheduler.error.NoSuchRunException;
import dev.zkscheduler.error.TooManyRequestsException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobAudit;
import dev.zkscheduler.job.JobDefaults;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.schedule.FireTime;
import dev.zkscheduler.schedule.InvalidScheduleException;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.SchedulerStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scheduler} of one node: the facade over the store, the tick loop and the task runner.
 * Built by {@link SchedulerBuilder}. Calls that change scheduler state on behalf of a user
 * (trigger, cancel, backfill) become control requests that the leader carries out, so any node
 * serves them; definitions are written directly with optimistic versions.
 */
final class SchedulerNode implements Scheduler {

  private static final Logger log = LoggerFactory.getLogger(SchedulerNode.class);

  /** The most runs one backfill may create. */
  static final int MAX_BACKFILL = 1000;

  private static final Pattern JOB_ID = Pattern.compile(JobDefaults.ID_PATTERN);

  /** Scheduled ({@code 20261201T140000.000Z}) and manual ({@code …-m-3f9a1c}) run ids. */
  private static final Pattern RUN_ID =
      Pattern.compile("^[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z(-m-[0-9a-f]{6})?$");

  private final String memberId;
  private final SchedulerStore store;
  private final Clock clock;
  private final Map<String, TaskHandler> handlers;
  private final JobValidator validator;
  private final Backend backend;
  private final Engine engine;
  private final List<JobDefinition> codeDefinedJobs;
  private final Lifecycle lifecycle = new Lifecycle("scheduler");

  SchedulerNode(
      String memberId,
      SchedulerStore store,
      Clock clock,
      Map<String, TaskHandler> handlers,
      Backend backend,
      Engine engine,
      List<JobDefinition> codeDefinedJobs) {
    this.memberId = memberId;
    this.store = store;
    this.clock = clock;
    this.handlers = Map.copyOf(handlers);
    this.validator = new JobValidator(this.handlers);
    this.backend = backend;
    this.engine = engine;
    this.codeDefinedJobs = List.copyOf(codeDefinedJobs);
  }

  @Override
  public void start() {
    lifecycle.start();
    try {
      backend.start(engine::definitionChanged);
      for (JobDefinition job : codeDefinedJobs) {
        upsertCodeDefined(job);
      }
      engine.start();
      log.info("scheduler node {} started with task types {}", memberId, handlers.keySet());
    } catch (Exception e) {
      // The backend's first definitions may already have woken the engine's loop.
      engine.close();
      backend.close();
      lifecycle.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("scheduler failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * Idempotent across nodes: an unchanged definition is not rewritten (no new version); who wrote
   * it last and when is not part of what it defines.
   */
  private void upsertCodeDefined(JobDefinition job) {
    job = job.withoutAudit();
    validator.validate(job);
    Optional<Versioned<JobDefinition>> existing = store.job(job.id());
    if (existing.isPresent()
        && existing
            .get()
            .value()
            .withoutAudit()
            .equals(job.withPaused(existing.get().value().paused()))) {
      return;
    }
    try {
      if (existing.isPresent()) {
        putJob(
            job.withPaused(existing.get().value().paused()),
            OptionalInt.of(existing.get().version()));
      } else {
        createJob(job);
      }
    } catch (VersionConflictException | JobExistsException raced) {
      log.info("code-defined job {} was written concurrently by another node", job.id());
    }
  }

  @Override
  public void close() {
    if (lifecycle.close() != Lifecycle.State.STARTED) {
      return;
    }
    log.info("scheduler node {} closing", memberId);
    engine.close();
    backend.close();
    log.info("scheduler node {} closed", memberId);
  }

  // ---- jobs ----

  @Override
  public Versioned<JobDefinition> createJob(JobDefinition job) {
    return createJob(job, memberId);
  }

  @Override
  public Versioned<JobDefinition> createJob(JobDefinition job, String actor) {
    JobDefinition stamped = job.withAudit(JobAudit.created(actor, clock.instant()));
    validator.validate(stamped);
    Versioned<JobDefinition> created = store.createJob(stamped);
    changed(created);
    return created;
  }

  @Override
  public Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion) {
    return putJob(job, expectedVersion, memberId);
  }

  /**
   * The job's creation is taken from the record it replaces, so every write is conditioned on the
   * version that record was read at: the caller's own condition, or (unconditional) the version
   * just read, read again when another write came in between.
   */
  @Override
  public Versioned<JobDefinition> putJob(
      JobDefinition job, OptionalInt expectedVersion, String actor) {
    // The actor and the job are checked (with an audit's size) before anything is read.
    validator.validate(job.withAudit(JobAudit.created(actor, clock.instant())));
    for (int attempt = 0; ; attempt++) {
      Optional<Versioned<JobDefinition>> current = store.job(job.id());
      Instant now = clock.instant();
      try {
        Versioned<JobDefinition> stored;
        if (expectedVersion.isPresent()) {
          // A record at another version makes the write fail anyway: its audit is not kept.
          JobAudit previous =
              current
                  .filter(v -> v.version() == expectedVersion.getAsInt())
                  .map(v -> v.value().audit())
                  .orElse(null);
          stored =
              store.putJob(job.withAudit(JobAudit.changed(previous, actor, now)), expectedVersion);
        } else if (current.isEmpty()) {
          stored = store.createJob(job.withAudit(JobAudit.created(actor, now)));
        } else {
          JobAudit previous = current.get().value().audit();
          stored =
              store.putJob(
                  job.withAudit(JobAudit.changed(previous, actor, now)),
                  OptionalInt.of(current.get().version()));
        }
        changed(stored);
        return stored;
      } catch (VersionConflictException | JobExistsException raced) {
        if (expectedVersion.isPresent()) {
          throw raced;
        }
        if (attempt == 5) {
          throw new VersionConflictException(
              "job '" + job.id() + "' kept changing while it was being replaced; try again");
        }
      }
    }
  }

  @Override
  public boolean deleteJob(String jobId, OptionalInt expectedVersion) {
    if (!isJobId(jobId)) {
      return false;
    }
    boolean deleted = store.deleteJob(jobId, expectedVersion);
    if (deleted) {
      engine.definitionChanged(jobId, null);
    }
    return deleted;
  }

  private void changed(Versioned<JobDefinition> job) {
    engine.definitionChanged(job.value().id(), job);
  }

  @Override
  public Optional<Versioned<JobDefinition>> job(String jobId) {
    return isJobId(jobId) ? store.job(jobId) : Optional.empty();
  }

  /**
   * Ids from outside (a URL path, a request) that no job can have are unknown, not errors: they
   * never reach the store, whose znode paths refuse them.
   */
  private static boolean isJobId(String id) {
    return id != null && JOB_ID.matcher(id).matches();
  }

  private static boolean isRunId(String id) {
    return id != null && RUN_ID.matcher(id).matches();
  }

  @Override
  public JobPage jobs(String afterId, int limit) {
    return store.jobs(afterId, limit);
  }

  @Override
  public JobStatus status(String jobId) {
    JobDefinition job = require(jobId).value();
    Instant next = store.scheduleState(jobId).map(v -> v.value().nextFire()).orElse(null);
    if (next == null && job.schedule() != null && !job.paused()) {
      next = job.schedule().nextFireAfter(clock.instant()).orElse(null);
    }
    Run last = store.runs(jobId, 1).stream().findFirst().map(Versioned::value).orElse(null);
    return new JobStatus(job.paused(), job.paused() ? null : next, last);
  }

  @Override
  public Versioned<JobDefinition> pause(String jobId) {
    return setPaused(jobId, true, memberId);
  }

  @Override
  public Versioned<JobDefinition> pause(String jobId, String actor) {
    return setPaused(jobId, true, actor);
  }

  @Override
  public Versioned<JobDefinition> resume(String jobId) {
    return setPaused(jobId, false, memberId);
  }

  @Override
  public Versioned<JobDefinition> resume(String jobId, String actor) {
    return setPaused(jobId, false, actor);
  }

  /** A job already in the wanted state is not rewritten: its audit stays as it is. */
  private Versioned<JobDefinition> setPaused(String jobId, boolean paused, String actor) {
    JobAudit.checkActor(actor);
    for (int attempt = 0; ; attempt++) {
      Versioned<JobDefinition> current = require(jobId);
      if (current.value().paused() == paused) {
        return current;
      }
      try {
        JobDefinition changed =
            current
                .value()
                .withPaused(paused)
                .withAudit(JobAudit.changed(current.value().audit(), actor, clock.instant()));
        Versioned<JobDefinition> updated = store.putJob(changed, OptionalInt.of(current.version()));
        changed(updated);
        return updated;
      } catch (VersionConflictException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  @Override
  public String trigger(String jobId) {
    require(jobId);
    // The leader creates no run over the cap (it drops the request); the stored list may still
    // hold runs ended lately (dropped lazily), so this refusal can come a little early.
    int listed = store.scheduleState(jobId).map(s -> s.value().activeRunIds().size()).orElse(0);
    if (listed >= EngineSettings.MAX_RUNS_IN_FLIGHT) {
      throw new TooManyRequestsException(
          "job '"
              + jobId
              + "' has "
              + listed
              + " runs in flight, the most a job may have ("
              + EngineSettings.MAX_RUNS_IN_FLIGHT
              + "); trigger it again once some have ended");
    }
    Instant now = clock.instant();
    String runId = RunIds.manual(now);
    store.submitRequest(
        new ControlRequest(
            requestId(),
            ControlRequest.Kind.TRIGGER,
            jobId,
            List.of(runId),
            List.of(now),
            now,
            memberId));
    engine.wakeUp();
    return runId;
  }

  @Override
  public List<String> backfill(String jobId, Instant from, Instant to) {
    JobDefinition job = require(jobId).value();
    if (job.schedule() == null) {
      throw new JobValidationException(
          "schedule", "job '" + jobId + "' has no schedule to backfill");
    }
    if (!to.isAfter(from)) {
      throw new JobValidationException("to", "must be after 'from'");
    }
    Instant now = clock.instant();
    // The leader's own progress says which fire times it has handled, whatever this node's clock
    // says; a paused job's progress stands still, so there only the clock can say what has passed.
    Instant unfiredFrom =
        job.paused()
            ? null
            : store
                .scheduleState(jobId)
                .map(s -> s.value().nextFire())
                .filter(next -> !next.isAfter(now))
                .orElse(null);
    List<Instant> nominal = new ArrayList<>();
    Instant cursor = from.minusNanos(1);
    while (true) {
      Optional<Instant> next = job.schedule().nextFireAfter(cursor);
      if (next.isEmpty() || !next.get().isBefore(to)) {
        break;
      }
      if (next.get().isAfter(now) || (unfiredFrom != null && !next.get().isBefore(unfiredFrom))) {
        // A backfill run shares its id with the scheduled run of the same instant: one for a fire
        // still to come (or due but not fired yet) would run at once, and the real fire would be a
        // prevented duplicate: nothing would run on time.
        throw new JobValidationException(
            "to",
            "the range reaches fire time "
                + next.get()
                + ", which has not fired yet (now "
                + now
                + "); backfill only fire times that have passed");
      }
      if (nominal.size() == MAX_BACKFILL) {
        throw new JobValidationException(
            "to",
            "the range holds more than " + MAX_BACKFILL + " fire times; backfill a shorter range");
      }
      nominal.add(next.get());
      cursor = next.get();
    }
    List<String> runIds = nominal.stream().map(RunIds::scheduled).toList();
    if (!runIds.isEmpty()) {
      store.submitRequest(
          new ControlRequest(
              requestId(), ControlRequest.Kind.BACKFILL, jobId, runIds, nominal, now, memberId));
      engine.wakeUp();
    }
    return runIds;
  }

  @Override
  public List<ZonedDateTime> preview(String jobId, Instant from, int count) {
    JobDefinition job = require(jobId).value();
    Schedule schedule = job.schedule();
    if (schedule == null) {
      if (count < 1 || count > Schedule.MAX_PREVIEW) {
        throw new InvalidScheduleException(
            "count", "must be between 1 and " + Schedule.MAX_PREVIEW + ", was " + count);
      }
      return List.of();
    }
    return schedule.preview(from, count).stream().map(FireTime::local).toList();
  }

  // ---- runs ----

  @Override
  public List<Run> runs(String jobId, int limit) {
    require(jobId);
    return store.runs(jobId, limit).stream().map(Versioned::value).toList();
  }

  @Override
  public Optional<Run> run(String jobId, String runId) {
    if (!isJobId(jobId) || !isRunId(runId)) {
      return Optional.empty();
    }
    return store.run(jobId, runId).map(Versioned::value);
  }

  @Override
  public void cancel(String jobId, String runId) {
    Run run = run(jobId, runId).orElseThrow(() -> new NoSuchRunException(jobId, runId));
    if (run.state().isTerminal()) {
      return;
    }
    Instant now = clock.instant();
    store.submitRequest(
        new ControlRequest(
            requestId(),
            ControlRequest.Kind.CANCEL,
            jobId,
            List.of(runId),
            List.of(),
            now,
            memberId));
    engine.wakeUp();
  }

  // ---- cluster ----

  @Override
  public ClusterStatus cluster() {
    return backend.clusterStatus();
  }

  @Override
  public boolean isLeader() {
    return backend.leadership().currentTerm().isPresent();
  }

  @Override
  public Set<String> taskTypes() {
    return handlers.keySet();
  }

  Optional<Instant> lastTick() {
    return engine.lastTick();
  }

  void tickNow() {
    engine.tickNow();
  }

  private Versioned<JobDefinition> require(String jobId) {
    return job(jobId).orElseThrow(() -> new NoSuchJobException(jobId));
  }

  private String requestId() {
    return RunIds.scheduled(clock.instant()) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
