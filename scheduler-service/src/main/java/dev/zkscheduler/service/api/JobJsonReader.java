package dev.zkscheduler.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a job as a client wrote it into a {@link JobDto}, checking only JSON types: each field of
 * the wrong type is reported (deferred, see {@link FieldErrors}) under its path and read as absent,
 * so that {@link JobMapper} can still report the problems of every other field in the same answer.
 * Absent and null fields read as null; unknown fields are ignored, so a client written against a
 * newer API still gets its job accepted. So are the fields only the server sets ({@code status} and
 * the audit, {@code createdBy} … {@code updatedAt}): a job read back from the API can be sent again
 * as it is, and what it says about who wrote it is never taken from a client.
 */
final class JobJsonReader {

  /** Plain JSON values for task configs; no module may turn them into anything richer. */
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private static final List<String> SCHEDULE_KINDS = List.of("cron", "interval", "at");

  private final FieldErrors errors;

  JobJsonReader(FieldErrors errors) {
    this.errors = errors;
  }

  JobDto read(JsonNode node) {
    String id = string(node, "id", "id");
    String description = string(node, "description", "description");
    ScheduleDto schedule = schedule(node);
    RetryDto retry = retry(node, "retry", "retry");
    String timeout = string(node, "timeout", "timeout");
    String misfirePolicy = string(node, "misfirePolicy", "misfirePolicy");
    String misfireThreshold = string(node, "misfireThreshold", "misfireThreshold");
    Integer catchUpLimit = integer(node, "catchUpLimit", "catchUpLimit");
    String concurrencyPolicy = string(node, "concurrencyPolicy", "concurrencyPolicy");
    Boolean paused = bool(node, "paused", "paused");
    List<TaskDto> tasks = null;
    JsonNode taskArray = array(node, "tasks", "tasks");
    if (taskArray != null) {
      tasks = new ArrayList<>();
      for (int i = 0; i < taskArray.size(); i++) {
        // A non-object keeps its slot (as null) so that later tasks keep their indices in errors.
        tasks.add(task(taskArray.get(i), "tasks[" + i + "]"));
      }
    }
    return new JobDto(
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
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * Only the fields of the kind that is present are read: a cron schedule's stray {@code startAt}
   * is ignored like any unknown field. A schedule whose kind cannot be told (none, several, or of
   * the wrong type) is reported here and read as absent.
   */
  private ScheduleDto schedule(JsonNode parent) {
    JsonNode node = object(parent, "schedule", "schedule");
    if (node == null) {
      return null;
    }
    long kinds = SCHEDULE_KINDS.stream().filter(node::hasNonNull).count();
    if (kinds != 1) {
      errors.defer("schedule", "must have exactly one of 'cron', 'interval' or 'at'");
      return null;
    }
    if (node.hasNonNull("cron")) {
      String cron = string(node, "cron", "schedule.cron");
      String zone = string(node, "timeZone", "schedule.timeZone");
      String dst = string(node, "dstPolicy", "schedule.dstPolicy");
      return cron == null ? null : ScheduleDto.cron(cron, zone, dst);
    }
    if (node.hasNonNull("interval")) {
      String interval = string(node, "interval", "schedule.interval");
      String startAt = string(node, "startAt", "schedule.startAt");
      boolean startAtUnreadable = startAt == null && node.hasNonNull("startAt");
      return interval == null || startAtUnreadable ? null : ScheduleDto.interval(interval, startAt);
    }
    String at = string(node, "at", "schedule.at");
    return at == null ? null : ScheduleDto.once(at);
  }

  private RetryDto retry(JsonNode parent, String name, String path) {
    JsonNode node = object(parent, name, path);
    if (node == null) {
      return null;
    }
    return new RetryDto(
        integer(node, "maxAttempts", path + ".maxAttempts"),
        string(node, "initialDelay", path + ".initialDelay"),
        number(node, "multiplier", path + ".multiplier"),
        string(node, "maxDelay", path + ".maxDelay"),
        number(node, "jitter", path + ".jitter"));
  }

  private TaskDto task(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      errors.defer(path, "must be an object");
      return null;
    }
    String id = string(node, "id", path + ".id");
    String type = string(node, "type", path + ".type");
    Map<String, Object> config = null;
    JsonNode configNode = object(node, "config", path + ".config");
    if (configNode != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> converted = PLAIN.convertValue(configNode, LinkedHashMap.class);
      config = converted;
    }
    List<String> dependsOn = new ArrayList<>();
    JsonNode deps = array(node, "dependsOn", path + ".dependsOn");
    if (deps != null) {
      for (int d = 0; d < deps.size(); d++) {
        if (deps.get(d).isTextual()) {
          dependsOn.add(deps.get(d).textValue());
        } else {
          errors.defer(path + ".dependsOn[" + d + "]", "must be a task id (a string)");
        }
      }
    }
    String triggerRule = string(node, "triggerRule", path + ".triggerRule");
    RetryDto retry = retry(node, "retry", path + ".retry");
    String timeout = string(node, "timeout", path + ".timeout");
    return new TaskDto(id, type, config, dependsOn, triggerRule, retry, timeout);
  }

  // ---- typed fields: absent and null read as null; a wrong type is reported and reads as null

  private JsonNode object(JsonNode parent, String name, String path) {
    return ofType(parent, name, path, JsonNode::isObject, "must be an object");
  }

  private JsonNode array(JsonNode parent, String name, String path) {
    return ofType(parent, name, path, JsonNode::isArray, "must be an array");
  }

  private String string(JsonNode parent, String name, String path) {
    JsonNode node = ofType(parent, name, path, JsonNode::isTextual, "must be a string");
    return node == null ? null : node.textValue();
  }

  private Integer integer(JsonNode parent, String name, String path) {
    JsonNode node =
        ofType(
            parent,
            name,
            path,
            n -> n.isIntegralNumber() && n.canConvertToInt(),
            "must be a whole number");
    return node == null ? null : node.intValue();
  }

  private Double number(JsonNode parent, String name, String path) {
    JsonNode node = ofType(parent, name, path, JsonNode::isNumber, "must be a number");
    return node == null ? null : node.doubleValue();
  }

  private Boolean bool(JsonNode parent, String name, String path) {
    JsonNode node = ofType(parent, name, path, JsonNode::isBoolean, "must be true or false");
    return node == null ? null : node.booleanValue();
  }

  private JsonNode ofType(
      JsonNode parent, String name, String path, Predicate<JsonNode> type, String message) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!type.test(node)) {
      errors.defer(path, message);
      return null;
    }
    return node;
  }
}
