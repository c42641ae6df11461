package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.dag.TriggerRule;
import dev.zkscheduler.error.RecordTooLargeException;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job definition in JSON: the REST API's shape (docs/api.md), which is also the stored one plus
 * the format version. Thread-safe.
 *
 * <p>{@link #parse} reads a job as a user wrote it and reports every problem with its JSON path in
 * a {@link JobValidationException}; {@link #decode} reads what the store wrote and throws {@link
 * CodecException} on anything unexpected.
 *
 * <p>Optional fields added within format 1 ({@code misfireThreshold}) are written only when set, so
 * a job without them encodes as before; nodes that predate a field ignore it when reading, like any
 * unknown field ({@link StoredFormat}), and drop it if they rewrite the job.
 *
 * <p>The audit ({@code createdBy}, {@code createdAt}, {@code updatedBy}, {@code updatedAt}; see
 * {@link JobAudit}) is such a field too: stored by {@link #encode} after {@code paused} when the
 * job has one, read by {@link #decode}, and neither written by {@link #toJson} nor read by {@link
 * #parse}, since it is the scheduler's record of a write and not part of what a user defines.
 */
public final class JobCodec {

  private JobCodec() {}

  /**
   * Encodes a job for storage.
   *
   * @throws RecordTooLargeException if it exceeds {@link JobDefaults#MAX_ENCODED_BYTES}
   */
  public static byte[] encode(JobDefinition job) {
    ObjectNode node = jobNode(job);
    if (job.audit() != null) {
      putAudit(node, job.audit());
    }
    // Last, unlike the other documents: stored jobs have always been written this way.
    node.put("v", StoredFormat.FORMAT_VERSION);
    byte[] bytes = StoredFormat.bytes(node);
    if (bytes.length > JobDefaults.MAX_ENCODED_BYTES) {
      throw new RecordTooLargeException(
          "job '" + job.id() + "'", bytes.length, JobDefaults.MAX_ENCODED_BYTES);
    }
    return bytes;
  }

  /** The job in the REST API's JSON shape, without the storage format version. */
  public static String toJson(JobDefinition job) {
    return new String(StoredFormat.bytes(jobNode(job)), StandardCharsets.UTF_8);
  }

  /**
   * @throws CodecException if {@code data} is not a valid job this node can read
   */
  public static JobDefinition decode(byte[] data) {
    JsonNode node = StoredFormat.storedDocument(data, "job");
    try {
      return readJob(node, null).withAudit(readAudit(node));
    } catch (JobValidationException e) {
      throw new CodecException("stored job is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a job definition as a user wrote it (docs/api.md). An interval schedule without {@code
   * startAt} is anchored at {@code anchorIfMissing}, so the anchor becomes persisted data.
   *
   * @throws JobValidationException naming every malformed field (wrong types, bad durations,
   *     unknown enum values, invalid schedules or retry policies)
   */
  public static JobDefinition parse(byte[] json, Instant anchorIfMissing) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new JobValidationException("", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new JobValidationException("", "unreadable JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new JobValidationException("", "a job definition must be a JSON object");
    }
    return readJob(node, anchorIfMissing);
  }

  private static ObjectNode jobNode(JobDefinition job) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", job.id());
    if (job.description() != null) {
      node.put("description", job.description());
    }
    if (job.schedule() != null) {
      node.set("schedule", scheduleNode(job.schedule()));
    }
    ArrayNode tasks = node.putArray("tasks");
    for (TaskDefinition task : job.tasks()) {
      ObjectNode t = tasks.addObject();
      t.put("id", task.id());
      t.put("type", task.type());
      t.set("config", MAPPER.valueToTree(task.config()));
      ArrayNode deps = t.putArray("dependsOn");
      task.dependsOn().forEach(deps::add);
      t.put("triggerRule", task.triggerRule().name());
      if (task.retry() != null) {
        t.set("retry", retryNode(task.retry()));
      }
      if (task.timeout() != null) {
        t.put("timeout", task.timeout().toString());
      }
    }
    node.set("retry", retryNode(job.retry()));
    node.put("timeout", job.timeout().toString());
    node.put("misfirePolicy", job.misfirePolicy().name());
    if (job.misfireThreshold() != null) {
      // Only when set: a job without it encodes as before, byte for byte.
      node.put("misfireThreshold", job.misfireThreshold().toString());
    }
    node.put("catchUpLimit", job.catchUpLimit());
    node.put("concurrencyPolicy", job.concurrencyPolicy().name());
    node.put("paused", job.paused());
    return node;
  }

  private static void putAudit(ObjectNode node, JobAudit audit) {
    if (audit.createdBy() != null) {
      node.put("createdBy", audit.createdBy());
      node.put("createdAt", audit.createdAt().toString());
    }
    node.put("updatedBy", audit.updatedBy());
    node.put("updatedAt", audit.updatedAt().toString());
  }

  /**
   * The stored audit; null when the job was written before audits were kept (no {@code updatedBy}).
   *
   * @throws JobValidationException if a field is of the wrong type or the fields do not make an
   *     audit
   */
  private static JobAudit readAudit(JsonNode node) {
    JsonFields f = new JsonFields();
    String createdBy = f.string(node, "createdBy", "createdBy");
    Instant createdAt = f.instant(node, "createdAt", "createdAt");
    String updatedBy = f.string(node, "updatedBy", "updatedBy");
    Instant updatedAt = f.instant(node, "updatedAt", "updatedAt");
    f.throwIfAny();
    if (updatedBy == null && updatedAt == null && createdBy == null && createdAt == null) {
      return null;
    }
    try {
      return new JobAudit(createdBy, createdAt, updatedBy, updatedAt);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new JobValidationException("updatedBy", "not a complete audit: " + e.getMessage());
    }
  }

  private static ObjectNode scheduleNode(Schedule schedule) {
    ObjectNode node = MAPPER.createObjectNode();
    if (schedule instanceof CronSchedule cron) {
      node.put("cron", cron.expression());
      node.put("timeZone", Zones.display(cron.zone()));
      node.put("dstPolicy", cron.dstPolicy().name());
    } else if (schedule instanceof IntervalSchedule interval) {
      node.put("interval", interval.interval().toString());
      node.put("startAt", interval.startAt().toString());
    } else if (schedule instanceof OnceSchedule once) {
      node.put("at", once.at().toString());
    }
    return node;
  }

  private static ObjectNode retryNode(RetryPolicy retry) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("maxAttempts", retry.maxAttempts());
    node.put("initialDelay", retry.initialDelay().toString());
    node.put("multiplier", retry.multiplier());
    node.put("maxDelay", retry.maxDelay().toString());
    node.put("jitter", retry.jitter());
    return node;
  }

  private static JobDefinition readJob(JsonNode node, Instant anchorIfMissing) {
    JsonFields f = new JsonFields();
    String id = f.string(node, "id", "id");
    String description = f.string(node, "description", "description");
    Schedule schedule = readSchedule(f, node, anchorIfMissing);
    RetryPolicy retry = readRetry(f, node, "retry", JobDefaults.RETRY);
    Duration timeout = f.duration(node, "timeout", "timeout");
    MisfirePolicy misfire =
        f.enumValue(node, "misfirePolicy", "misfirePolicy", MisfirePolicy.class);
    // Absent (a job written before the field existed, or not set): the node's threshold.
    Duration misfireThreshold = f.duration(node, "misfireThreshold", "misfireThreshold");
    Integer catchUpLimit = f.integer(node, "catchUpLimit", "catchUpLimit");
    ConcurrencyPolicy concurrency =
        f.enumValue(node, "concurrencyPolicy", "concurrencyPolicy", ConcurrencyPolicy.class);
    Boolean paused = f.bool(node, "paused", "paused");
    List<TaskDefinition> tasks = new ArrayList<>();
    JsonNode taskArray = f.array(node, "tasks", "tasks");
    if (taskArray != null) {
      for (int i = 0; i < taskArray.size(); i++) {
        TaskDefinition task =
            readTask(
                f, taskArray.get(i), "tasks[" + i + "]", retry == null ? JobDefaults.RETRY : retry);
        if (task != null) {
          tasks.add(task);
        }
      }
    }
    f.throwIfAny();
    if (catchUpLimit != null && catchUpLimit == 0) {
      // Zero would read as "use the default" in the record; refuse it explicitly instead.
      throw new JobValidationException(
          "catchUpLimit", "must be between 1 and " + JobDefaults.MAX_CATCH_UP_LIMIT + ", was 0");
    }
    return JobDefinition.builder(id)
        .description(description)
        .schedule(schedule)
        .tasks(tasks)
        .retry(retry)
        .timeout(timeout)
        .misfirePolicy(misfire)
        .catchUpLimit(catchUpLimit == null ? 0 : catchUpLimit)
        .concurrencyPolicy(concurrency)
        .paused(paused != null && paused)
        .misfireThreshold(misfireThreshold)
        .build();
  }

  private static TaskDefinition readTask(
      JsonFields f, JsonNode node, String path, RetryPolicy jobRetry) {
    if (node == null || !node.isObject()) {
      f.error(path, "must be an object");
      return null;
    }
    String id = f.string(node, "id", path + ".id");
    String type = f.string(node, "type", path + ".type");
    Map<String, Object> config = null;
    JsonNode configNode = f.object(node, "config", path + ".config");
    if (configNode != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> converted = MAPPER.convertValue(configNode, LinkedHashMap.class);
      config = converted;
    }
    List<String> dependsOn = new ArrayList<>();
    JsonNode deps = f.array(node, "dependsOn", path + ".dependsOn");
    if (deps != null) {
      for (int d = 0; d < deps.size(); d++) {
        if (!deps.get(d).isTextual()) {
          f.error(path + ".dependsOn[" + d + "]", "must be a task id (a string)");
        } else {
          dependsOn.add(deps.get(d).textValue());
        }
      }
    }
    TriggerRule rule = f.enumValue(node, "triggerRule", path + ".triggerRule", TriggerRule.class);
    RetryPolicy retry =
        JsonFields.present(node, "retry") ? readRetry(f, node, path + ".retry", jobRetry) : null;
    Duration timeout = f.duration(node, "timeout", path + ".timeout");
    return new TaskDefinition(id, type, config, dependsOn, rule, retry, timeout);
  }

  /** A retry object; missing fields are taken from {@code base}. */
  private static RetryPolicy readRetry(
      JsonFields f, JsonNode parent, String path, RetryPolicy base) {
    String name = path.substring(path.lastIndexOf('.') + 1);
    JsonNode node = f.object(parent, name, path);
    if (node == null) {
      return JsonFields.present(parent, name) ? null : base;
    }
    Integer maxAttempts = f.integer(node, "maxAttempts", path + ".maxAttempts");
    Duration initialDelay = f.duration(node, "initialDelay", path + ".initialDelay");
    Double multiplier = f.number(node, "multiplier", path + ".multiplier");
    Duration maxDelay = f.duration(node, "maxDelay", path + ".maxDelay");
    Double jitter = f.number(node, "jitter", path + ".jitter");
    try {
      return new RetryPolicy(
          maxAttempts != null ? maxAttempts : base.maxAttempts(),
          initialDelay != null ? initialDelay : base.initialDelay(),
          multiplier != null ? multiplier : base.multiplier(),
          maxDelay != null ? maxDelay : base.maxDelay(),
          jitter != null ? jitter : base.jitter());
    } catch (JobValidationException e) {
      f.addAll(path, e);
      return null;
    }
  }

  private static Schedule readSchedule(JsonFields f, JsonNode parent, Instant anchorIfMissing) {
    JsonNode node = f.object(parent, "schedule", "schedule");
    if (node == null) {
      return null;
    }
    int kinds =
        (JsonFields.present(node, "cron") ? 1 : 0)
            + (JsonFields.present(node, "interval") ? 1 : 0)
            + (JsonFields.present(node, "at") ? 1 : 0);
    if (kinds != 1) {
      f.error("schedule", "must have exactly one of 'cron', 'interval' or 'at'");
      return null;
    }
    try {
      if (JsonFields.present(node, "cron")) {
        String cron = f.string(node, "cron", "schedule.cron");
        String zone = f.string(node, "timeZone", "schedule.timeZone");
        DstPolicy dst = f.enumValue(node, "dstPolicy", "schedule.dstPolicy", DstPolicy.class);
        return cron == null
            ? null
            : Schedule.cron(cron, Zones.parse(zone), dst == null ? DstPolicy.DEFAULT : dst);
      }
      if (JsonFields.present(node, "interval")) {
        Duration interval = f.duration(node, "interval", "schedule.interval");
        Instant startAt = f.instant(node, "startAt", "schedule.startAt");
        if (interval == null || (startAt == null && JsonFields.present(node, "startAt"))) {
          return null;
        }
        if (startAt == null && anchorIfMissing == null) {
          f.error("schedule.startAt", "must be set: the anchor of the interval grid");
          return null;
        }
        return Schedule.interval(interval, startAt != null ? startAt : anchorIfMissing);
      }
      Instant at = f.instant(node, "at", "schedule.at");
      return at == null ? null : Schedule.once(at);
    } catch (InvalidScheduleException e) {
      f.error("schedule." + e.field(), e.reason());
      return null;
    }
  }
}
