package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.failOnErrors;
import static dev.zkscheduler.store.codec.StoredFormat.putInstant;
import static dev.zkscheduler.store.codec.StoredFormat.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.dag.PinnedDag;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.dag.TriggerRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a {@link Run}, its task runs and the DAG it was created with. Written in
 * format {@link StoredFormat#RUN_FORMAT_VERSION}; format 1 runs (no DAG) still read. Thread-safe.
 */
public final class RunCodec {

  private RunCodec() {}

  public static byte[] encode(Run run) {
    ObjectNode node = StoredFormat.versionedDocument(StoredFormat.RUN_FORMAT_VERSION);
    node.put("id", run.id());
    node.put("jobId", run.jobId());
    putInstant(node, "nominalTime", run.nominalTime());
    node.put("trigger", run.trigger().name());
    node.put("state", run.state().name());
    putInstant(node, "createdAt", run.createdAt());
    putInstant(node, "startedAt", run.startedAt());
    putInstant(node, "finishedAt", run.finishedAt());
    node.put("epoch", run.epoch());
    ObjectNode tasks = node.putObject("tasks");
    run.tasks().forEach((id, task) -> putTask(tasks.putObject(id), task));
    if (run.dag() != null) {
      putDag(node.putObject("dag"), run.dag());
    }
    return StoredFormat.bytes(node);
  }

  /**
   * @throws CodecException if {@code data} is not a run this node can read
   */
  public static Run decode(byte[] data) {
    JsonNode node = StoredFormat.storedDocument(data, "run", StoredFormat.RUN_FORMAT_VERSION);
    JsonFields f = new JsonFields();
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    JsonNode taskNodes = f.object(node, "tasks", "tasks");
    if (taskNodes != null) {
      taskNodes
          .fields()
          .forEachRemaining(e -> tasks.put(e.getKey(), readTask(f, e.getValue(), e.getKey())));
    }
    Long epoch = f.longValue(node, "epoch", "epoch");
    JsonNode dagNode = f.object(node, "dag", "dag");
    PinnedDag dag = dagNode == null ? null : readDag(f, dagNode);
    Run run =
        new Run(
            required(f, f.string(node, "id", "id"), "id"),
            required(f, f.string(node, "jobId", "jobId"), "jobId"),
            f.instant(node, "nominalTime", "nominalTime"),
            required(f, f.enumValue(node, "trigger", "trigger", RunTrigger.class), "trigger"),
            required(f, f.enumValue(node, "state", "state", RunState.class), "state"),
            f.instant(node, "createdAt", "createdAt"),
            f.instant(node, "startedAt", "startedAt"),
            f.instant(node, "finishedAt", "finishedAt"),
            epoch == null ? 0 : epoch,
            tasks,
            dag);
    failOnErrors(f, "run");
    return run;
  }

  private static void putTask(ObjectNode t, TaskRun task) {
    t.put("state", task.state().name());
    t.put("attempts", task.attempts());
    putInstant(t, "startedAt", task.startedAt());
    putInstant(t, "finishedAt", task.finishedAt());
    putInstant(t, "nextAttemptAt", task.nextAttemptAt());
    if (task.node() != null) {
      t.put("node", task.node());
    }
    if (task.error() != null) {
      t.put("error", task.error());
    }
  }

  private static void putDag(ObjectNode d, PinnedDag dag) {
    d.put("timeout", dag.runTimeout().toString());
    if (dag.jobCreated() != 0) {
      d.put("jobCreated", dag.jobCreated());
    }
    ObjectNode tasks = d.putObject("tasks");
    dag.tasks()
        .forEach(
            (id, task) -> {
              ObjectNode t = tasks.putObject(id);
              t.put("type", task.type());
              if (!task.config().isEmpty()) {
                t.set("config", StoredFormat.MAPPER.valueToTree(task.config()));
              }
              if (!task.dependsOn().isEmpty()) {
                ArrayNode deps = t.putArray("dependsOn");
                task.dependsOn().forEach(deps::add);
              }
              if (task.triggerRule() != TriggerRule.ALL_SUCCESS) {
                t.put("triggerRule", task.triggerRule().name());
              }
              PinnedDag.Retry retry = task.retry();
              ObjectNode r = t.putObject("retry");
              r.put("maxAttempts", retry.maxAttempts());
              r.put("initialDelay", retry.initialDelay().toString());
              r.put("multiplier", retry.multiplier());
              r.put("maxDelay", retry.maxDelay().toString());
              r.put("jitter", retry.jitter());
              t.put("timeout", task.timeout().toString());
            });
  }

  private static PinnedDag readDag(JsonFields f, JsonNode d) {
    Duration timeout = required(f, f.duration(d, "timeout", "dag.timeout"), "dag.timeout");
    Map<String, PinnedDag.Task> tasks = new LinkedHashMap<>();
    JsonNode taskNodes = required(f, f.object(d, "tasks", "dag.tasks"), "dag.tasks");
    if (taskNodes != null) {
      taskNodes
          .fields()
          .forEachRemaining(
              e -> {
                PinnedDag.Task task = readDagTask(f, e.getValue(), "dag.tasks." + e.getKey());
                if (task != null) {
                  tasks.put(e.getKey(), task);
                }
              });
    }
    Long jobCreated = f.longValue(d, "jobCreated", "dag.jobCreated");
    return timeout == null
        ? null
        : new PinnedDag(timeout, tasks, jobCreated == null ? 0L : jobCreated);
  }

  private static PinnedDag.Task readDagTask(JsonFields f, JsonNode t, String p) {
    String type = required(f, f.string(t, "type", p + ".type"), p + ".type");
    Map<String, Object> config = null;
    JsonNode configNode = f.object(t, "config", p + ".config");
    if (configNode != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> converted =
          StoredFormat.MAPPER.convertValue(configNode, LinkedHashMap.class);
      config = converted;
    }
    List<String> dependsOn = new ArrayList<>();
    JsonNode deps = f.array(t, "dependsOn", p + ".dependsOn");
    if (deps != null) {
      deps.forEach(
          dep -> {
            if (dep.isTextual()) {
              dependsOn.add(dep.textValue());
            } else {
              f.error(p + ".dependsOn", "must hold task ids (strings)");
            }
          });
    }
    TriggerRule rule = f.enumValue(t, "triggerRule", p + ".triggerRule", TriggerRule.class);
    JsonNode r = required(f, f.object(t, "retry", p + ".retry"), p + ".retry");
    PinnedDag.Retry retry = null;
    if (r != null) {
      Integer maxAttempts = f.integer(r, "maxAttempts", p + ".retry.maxAttempts");
      Duration initialDelay = f.duration(r, "initialDelay", p + ".retry.initialDelay");
      Double multiplier = f.number(r, "multiplier", p + ".retry.multiplier");
      Duration maxDelay = f.duration(r, "maxDelay", p + ".retry.maxDelay");
      Double jitter = f.number(r, "jitter", p + ".retry.jitter");
      if (maxAttempts != null
          && initialDelay != null
          && multiplier != null
          && maxDelay != null
          && jitter != null) {
        retry = new PinnedDag.Retry(maxAttempts, initialDelay, multiplier, maxDelay, jitter);
      } else {
        f.error(p + ".retry", "must have maxAttempts, initialDelay, multiplier, maxDelay, jitter");
      }
    }
    Duration timeout = required(f, f.duration(t, "timeout", p + ".timeout"), p + ".timeout");
    if (type == null || retry == null || timeout == null) {
      return null;
    }
    return new PinnedDag.Task(type, config, dependsOn, rule, retry, timeout);
  }

  private static TaskRun readTask(JsonFields f, JsonNode t, String taskId) {
    String p = "tasks." + taskId;
    Integer attempts = f.integer(t, "attempts", p + ".attempts");
    return new TaskRun(
        required(f, f.enumValue(t, "state", p + ".state", TaskState.class), p + ".state"),
        attempts == null ? 0 : attempts,
        f.instant(t, "startedAt", p + ".startedAt"),
        f.instant(t, "finishedAt", p + ".finishedAt"),
        f.instant(t, "nextAttemptAt", p + ".nextAttemptAt"),
        f.string(t, "node", p + ".node"),
        f.string(t, "error", p + ".error"));
  }
}
