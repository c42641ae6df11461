package dev.zkscheduler.job;

import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job as the user defines it: its schedule and its tasks (a DAG; a single-task job is a one-task
 * DAG), with job-level retry and timeout defaults that tasks may override. The REST API's shape is
 * in docs/api.md; its fields in docs/jobs-and-dags.md.
 *
 * <p>The constructor fills defaults ({@link JobDefaults}) for null policies; {@code description}
 * and {@code schedule} stay null when absent (a job without a schedule runs only when triggered).
 * Field validation that needs the whole job (ids, the DAG, task types, size) is {@link
 * JobValidator}'s job, so that every problem is reported at once.
 *
 * <p>{@code misfireThreshold} is how late a fire may start and still be on time; later fires go
 * through {@code misfirePolicy}. Null (the default) means the node's setting ({@code
 * EngineSettings.misfireThreshold}); it stays null rather than being filled, since that setting is
 * the node's, not the job's.
 *
 * <p>{@code audit} (who created and last changed the job, {@link JobAudit}) is set by the scheduler
 * when it stores the job and is null on a job that was not read from a store (or whose record
 * predates the field). It is part of {@link #equals}: to ask whether two jobs define the same
 * thing, compare {@link #withoutAudit()} copies.
 */
public record JobDefinition(
    String id,
    String description,
    Schedule schedule,
    List<TaskDefinition> tasks,
    RetryPolicy retry,
    Duration timeout,
    MisfirePolicy misfirePolicy,
    int catchUpLimit,
    ConcurrencyPolicy concurrencyPolicy,
    boolean paused,
    Duration misfireThreshold,
    JobAudit audit) {

  public JobDefinition {
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
    retry = retry == null ? JobDefaults.RETRY : retry;
    timeout = timeout == null ? JobDefaults.TIMEOUT : timeout;
    misfirePolicy = misfirePolicy == null ? JobDefaults.MISFIRE_POLICY : misfirePolicy;
    catchUpLimit = catchUpLimit == 0 ? JobDefaults.CATCH_UP_LIMIT : catchUpLimit;
    concurrencyPolicy =
        concurrencyPolicy == null ? JobDefaults.CONCURRENCY_POLICY : concurrencyPolicy;
  }

  /** A job without an audit: one defined in code, read from a client, or not yet stored. */
  public JobDefinition(
      String id,
      String description,
      Schedule schedule,
      List<TaskDefinition> tasks,
      RetryPolicy retry,
      Duration timeout,
      MisfirePolicy misfirePolicy,
      int catchUpLimit,
      ConcurrencyPolicy concurrencyPolicy,
      boolean paused,
      Duration misfireThreshold) {
    this(
        id,
        description,
        schedule,
        tasks,
        retry,
        timeout,
        misfirePolicy,
        catchUpLimit,
        concurrencyPolicy,
        paused,
        misfireThreshold,
        null);
  }

  public Optional<Schedule> scheduleOpt() {
    return Optional.ofNullable(schedule);
  }

  /** The task with {@code taskId}; throws IllegalArgumentException if there is none. */
  public TaskDefinition task(String taskId) {
    return tasks.stream()
        .filter(t -> t.id().equals(taskId))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("job '" + id + "' has no task '" + taskId + "'"));
  }

  /** The retry policy that applies to {@code task}: its own, or the job's. */
  public RetryPolicy retryOf(TaskDefinition task) {
    return task.retry() != null ? task.retry() : retry;
  }

  /** The timeout of one attempt of {@code task}: its own, or the run's. */
  public Duration timeoutOf(TaskDefinition task) {
    return task.timeout() != null ? task.timeout() : timeout;
  }

  /** The job's own misfire threshold, or {@code nodeDefault} when it has none. */
  public Duration misfireThresholdOr(Duration nodeDefault) {
    return misfireThreshold != null ? misfireThreshold : nodeDefault;
  }

  public JobDefinition withPaused(boolean paused) {
    return toBuilder().paused(paused).build();
  }

  public JobDefinition withSchedule(Schedule schedule) {
    return toBuilder().schedule(schedule).build();
  }

  public JobDefinition withAudit(JobAudit audit) {
    return toBuilder().audit(audit).build();
  }

  /** This job with no audit: what it defines, for comparing with another definition. */
  public JobDefinition withoutAudit() {
    return audit == null ? this : withAudit(null);
  }

  /** A builder holding every field of this job, for copies that change a few of them. */
  public Builder toBuilder() {
    return new Builder(id)
        .description(description)
        .schedule(schedule)
        .tasks(tasks)
        .retry(retry)
        .timeout(timeout)
        .misfirePolicy(misfirePolicy)
        .catchUpLimit(catchUpLimit)
        .concurrencyPolicy(concurrencyPolicy)
        .paused(paused)
        .misfireThreshold(misfireThreshold)
        .audit(audit);
  }

  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** For jobs defined in code, for tests, for decoders and for copies ({@link #toBuilder}). */
  public static final class Builder {
    private final String id;
    private String description;
    private Schedule schedule;
    private final List<TaskDefinition> tasks = new ArrayList<>();
    private RetryPolicy retry;
    private Duration timeout;
    private MisfirePolicy misfirePolicy;
    private int catchUpLimit;
    private ConcurrencyPolicy concurrencyPolicy;
    private boolean paused;
    private Duration misfireThreshold;
    private JobAudit audit;

    private Builder(String id) {
      this.id = id;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder schedule(Schedule schedule) {
      this.schedule = schedule;
      return this;
    }

    public Builder task(TaskDefinition task) {
      tasks.add(task);
      return this;
    }

    public Builder tasks(List<TaskDefinition> tasks) {
      this.tasks.addAll(tasks);
      return this;
    }

    /** Adds a task of {@code type} with no config, depending on {@code dependsOn}. */
    public Builder task(String taskId, String type, String... dependsOn) {
      return task(new TaskDefinition(taskId, type, null, List.of(dependsOn), null, null, null));
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder misfirePolicy(MisfirePolicy misfirePolicy) {
      this.misfirePolicy = misfirePolicy;
      return this;
    }

    public Builder catchUpLimit(int catchUpLimit) {
      this.catchUpLimit = catchUpLimit;
      return this;
    }

    public Builder concurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) {
      this.concurrencyPolicy = concurrencyPolicy;
      return this;
    }

    public Builder paused(boolean paused) {
      this.paused = paused;
      return this;
    }

    /** Null: the node's setting. */
    public Builder misfireThreshold(Duration misfireThreshold) {
      this.misfireThreshold = misfireThreshold;
      return this;
    }

    /** Set by stores and decoders; a scheduler replaces it when it writes the job. */
    public Builder audit(JobAudit audit) {
      this.audit = audit;
      return this;
    }

    public JobDefinition build() {
      return new JobDefinition(
          id,
          description,
          schedule,
          tasks,
          retry,
          timeout,
          misfirePolicy,
          catchUpLimit,
          concurrencyPolicy,
          paused,
          misfireThreshold,
          audit);
    }
  }
}
