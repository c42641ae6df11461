package dev.zkscheduler.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobAudit;
import dev.zkscheduler.job.JobDefaults;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.schedule.CronSchedule;
import dev.zkscheduler.schedule.DstPolicy;
import dev.zkscheduler.schedule.IntervalSchedule;
import dev.zkscheduler.schedule.InvalidScheduleException;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.OnceSchedule;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.schedule.Zones;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Maps jobs between the API's wire shape ({@link JobDto}) and the engine's {@link JobDefinition},
 * so that the API and what is stored in ZooKeeper can change independently.
 *
 * <p>Going in, every problem is collected under its JSON path ({@code schedule.cron}, {@code
 * tasks[1].retry.jitter}) and thrown together as one {@link JobValidationException}. Checks that
 * need the whole job (ids, the DAG, task types, size) are the engine's, when the job is written.
 * Thread-safe.
 */
public final class JobMapper {

  /**
   * Reads a job from a JSON object as a client wrote it. An interval schedule without {@code
   * startAt} is anchored at {@code anchorIfMissing}, so that the anchor becomes stored data and the
   * fire grid does not move when another node reads the job.
   *
   * @throws JobValidationException naming every malformed field
   */
  public JobDefinition read(JsonNode json, Instant anchorIfMissing) {
    if (json == null || !json.isObject()) {
      throw new JobValidationException("", "a job definition must be a JSON object");
    }
    FieldErrors errors = new FieldErrors();
    JobDto dto = new JobJsonReader(errors).read(json);
    return toDomain(dto, anchorIfMissing, errors);
  }

  /**
   * The job a DTO describes; see {@link #read} for the anchor.
   *
   * @throws JobValidationException naming every malformed field
   */
  public JobDefinition toDomain(JobDto dto, Instant anchorIfMissing) {
    return toDomain(dto, anchorIfMissing, new FieldErrors());
  }

  /**
   * The job as the API answers it, with its audit: the values of {@code http} headers and {@code
   * shell} env are {@link dev.zkscheduler.service.secrets.Redaction#MARKER} ({@link SecretFields}).
   */
  public JobDto toDto(JobDefinition job) {
    return toDto(job, true);
  }

  /**
   * The definition in the API's shape with its secret-bearing values as stored (references or
   * literal values) and without its audit, to compare two definitions: who wrote a job last is not
   * a difference in what it defines. Never to be answered.
   */
  public JobDto toUnredactedDto(JobDefinition job) {
    return toDto(job.withoutAudit(), false);
  }

  private JobDto toDto(JobDefinition job, boolean redact) {
    JobAudit audit = job.audit();
    return new JobDto(
        job.id(),
        job.description(),
        job.schedule() == null ? null : toDto(job.schedule()),
        job.tasks().stream().map(t -> toDto(t, redact)).toList(),
        toDto(job.retry()),
        job.timeout().toString(),
        job.misfirePolicy().name(),
        job.catchUpLimit(),
        job.concurrencyPolicy().name(),
        job.paused(),
        job.misfireThreshold() == null ? null : job.misfireThreshold().toString(),
        audit == null ? null : audit.createdBy(),
        audit == null ? null : Instants.text(audit.createdAt()),
        audit == null ? null : audit.updatedBy(),
        audit == null ? null : Instants.text(audit.updatedAt()),
        null);
  }

  public JobDto toDto(JobDefinition job, JobStatus status) {
    return toDto(job).withStatus(JobStatusDto.from(status));
  }

  // ---- domain → wire

  private static ScheduleDto toDto(Schedule schedule) {
    if (schedule instanceof CronSchedule cron) {
      return ScheduleDto.cron(
          cron.expression(), Zones.display(cron.zone()), cron.dstPolicy().name());
    }
    if (schedule instanceof IntervalSchedule interval) {
      return ScheduleDto.interval(interval.interval().toString(), interval.startAt().toString());
    }
    return ScheduleDto.once(((OnceSchedule) schedule).at().toString());
  }

  private static TaskDto toDto(TaskDefinition task, boolean redact) {
    return new TaskDto(
        task.id(),
        task.type(),
        redact ? SecretFields.redact(task.type(), task.config()) : task.config(),
        task.dependsOn(),
        task.triggerRule().name(),
        task.retry() == null ? null : toDto(task.retry()),
        task.timeout() == null ? null : task.timeout().toString());
  }

  private static RetryDto toDto(RetryPolicy retry) {
    return new RetryDto(
        retry.maxAttempts(),
        retry.initialDelay().toString(),
        retry.multiplier(),
        retry.maxDelay().toString(),
        retry.jitter());
  }

  // ---- wire → domain, in the order of the fields so that errors are listed in that order

  private static JobDefinition toDomain(JobDto dto, Instant anchorIfMissing, FieldErrors errors) {
    errors.visit("id");
    errors.visit("description");
    Schedule schedule = schedule(dto.schedule(), anchorIfMissing, errors);
    RetryPolicy retry = retry(dto.retry(), "retry", JobDefaults.RETRY, errors);
    Duration timeout = duration(dto.timeout(), "timeout", errors);
    MisfirePolicy misfire =
        enumValue(dto.misfirePolicy(), "misfirePolicy", MisfirePolicy.class, errors);
    Duration misfireThreshold = duration(dto.misfireThreshold(), "misfireThreshold", errors);
    errors.visit("catchUpLimit");
    ConcurrencyPolicy concurrency =
        enumValue(dto.concurrencyPolicy(), "concurrencyPolicy", ConcurrencyPolicy.class, errors);
    errors.visit("paused");
    errors.visit("tasks");
    List<TaskDefinition> tasks = new ArrayList<>();
    if (dto.tasks() != null) {
      RetryPolicy taskBase = retry == null ? JobDefaults.RETRY : retry;
      for (int i = 0; i < dto.tasks().size(); i++) {
        TaskDefinition task = task(dto.tasks().get(i), "tasks[" + i + "]", taskBase, errors);
        if (task != null) {
          tasks.add(task);
        }
      }
    }
    errors.throwIfAny();
    Integer catchUpLimit = dto.catchUpLimit();
    if (catchUpLimit != null && catchUpLimit == 0) {
      // The domain reads zero as "use the default"; a client who wrote 0 meant something else.
      throw new JobValidationException(
          "catchUpLimit", "must be between 1 and " + JobDefaults.MAX_CATCH_UP_LIMIT + ", was 0");
    }
    return new JobDefinition(
        dto.id(),
        dto.description(),
        schedule,
        tasks,
        retry,
        timeout,
        misfire,
        catchUpLimit == null ? 0 : catchUpLimit,
        concurrency,
        dto.paused() != null && dto.paused(),
        misfireThreshold);
  }

  private static Schedule schedule(ScheduleDto dto, Instant anchorIfMissing, FieldErrors errors) {
    if (dto == null) {
      errors.visitAll("schedule");
      return null;
    }
    int kinds =
        (dto.cron() != null ? 1 : 0)
            + (dto.interval() != null ? 1 : 0)
            + (dto.at() != null ? 1 : 0);
    if (kinds != 1) {
      errors.add("schedule", "must have exactly one of 'cron', 'interval' or 'at'");
      return null;
    }
    try {
      if (dto.cron() != null) {
        errors.visit("schedule.cron");
        errors.visit("schedule.timeZone");
        DstPolicy dst = enumValue(dto.dstPolicy(), "schedule.dstPolicy", DstPolicy.class, errors);
        return Schedule.cron(
            dto.cron(), Zones.parse(dto.timeZone()), dst == null ? DstPolicy.DEFAULT : dst);
      }
      if (dto.interval() != null) {
        Duration interval = duration(dto.interval(), "schedule.interval", errors);
        Instant startAt = instant(dto.startAt(), "schedule.startAt", errors);
        if (interval == null || (startAt == null && dto.startAt() != null)) {
          return null;
        }
        if (startAt == null && anchorIfMissing == null) {
          errors.add("schedule.startAt", "must be set: the anchor of the interval grid");
          return null;
        }
        return Schedule.interval(interval, startAt != null ? startAt : anchorIfMissing);
      }
      Instant at = instant(dto.at(), "schedule.at", errors);
      return at == null ? null : Schedule.once(at);
    } catch (InvalidScheduleException e) {
      errors.add("schedule." + e.field(), e.reason());
      return null;
    }
  }

  /**
   * A retry policy refining {@code base}: components the client left out are {@code base}'s. Null
   * when absent or invalid.
   */
  private static RetryPolicy retry(
      RetryDto dto, String path, RetryPolicy base, FieldErrors errors) {
    if (dto == null) {
      errors.visitAll(path);
      return null;
    }
    errors.visit(path + ".maxAttempts");
    Duration initialDelay = duration(dto.initialDelay(), path + ".initialDelay", errors);
    errors.visit(path + ".multiplier");
    Duration maxDelay = duration(dto.maxDelay(), path + ".maxDelay", errors);
    errors.visit(path + ".jitter");
    try {
      return new RetryPolicy(
          dto.maxAttempts() != null ? dto.maxAttempts() : base.maxAttempts(),
          initialDelay != null ? initialDelay : base.initialDelay(),
          dto.multiplier() != null ? dto.multiplier() : base.multiplier(),
          maxDelay != null ? maxDelay : base.maxDelay(),
          dto.jitter() != null ? dto.jitter() : base.jitter());
    } catch (JobValidationException e) {
      errors.addAll(path, e);
      return null;
    }
  }

  private static TaskDefinition task(
      TaskDto dto, String path, RetryPolicy jobRetry, FieldErrors errors) {
    if (dto == null) {
      if (!errors.visitAll(path)) {
        errors.add(path, "must be an object");
      }
      return null;
    }
    errors.visit(path + ".id");
    errors.visit(path + ".type");
    errors.visit(path + ".config");
    errors.visitAll(path + ".dependsOn");
    TriggerRule rule =
        enumValue(dto.triggerRule(), path + ".triggerRule", TriggerRule.class, errors);
    RetryPolicy retry = retry(dto.retry(), path + ".retry", jobRetry, errors);
    Duration timeout = duration(dto.timeout(), path + ".timeout", errors);
    return new TaskDefinition(
        dto.id(), dto.type(), dto.config(), dto.dependsOn(), rule, retry, timeout);
  }

  // ---- scalars: null stays null; unparseable text is reported and reads as null. Each visits
  // its field first, so that a type error found by the first pass keeps its place in the list.

  private static Duration duration(String text, String path, FieldErrors errors) {
    errors.visit(path);
    if (text == null) {
      return null;
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      errors.add(path, "'" + text + "' is not an ISO-8601 duration such as PT15M");
      return null;
    }
  }

  private static Instant instant(String text, String path, FieldErrors errors) {
    errors.visit(path);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      errors.add(
          path, "'" + text + "' is not an ISO-8601 UTC instant such as 2026-12-01T14:00:00Z");
      return null;
    }
  }

  /** Case-insensitive: clients should not have to match the case of Java's enum names. */
  private static <E extends Enum<E>> E enumValue(
      String text, String path, Class<E> type, FieldErrors errors) {
    errors.visit(path);
    if (text == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      errors.add(path, "'" + text + "' is not one of " + Arrays.toString(type.getEnumConstants()));
      return null;
    }
  }
}
