package dev.zkscheduler.store.codec;

import static dev.zkscheduler.store.codec.StoredFormat.failOnErrors;
import static dev.zkscheduler.store.codec.StoredFormat.putInstant;
import static dev.zkscheduler.store.codec.StoredFormat.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import java.util.LinkedHashMap;
import java.util.Map;

/** The stored form of a {@link Run} and its task runs. Thread-safe. */
public final class RunCodec {

  private RunCodec() {}

  public static byte[] encode(Run run) {
    ObjectNode node = StoredFormat.versionedDocument();
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
    return StoredFormat.bytes(node);
  }

  /**
   * @throws CodecException if {@code data} is not a run this node can read
   */
  public static Run decode(byte[] data) {
    JsonNode node = StoredFormat.storedDocument(data, "run");
    JsonFields f = new JsonFields();
    Map<String, TaskRun> tasks = new LinkedHashMap<>();
    JsonNode taskNodes = f.object(node, "tasks", "tasks");
    if (taskNodes != null) {
      taskNodes
          .fields()
          .forEachRemaining(e -> tasks.put(e.getKey(), readTask(f, e.getValue(), e.getKey())));
    }
    Long epoch = f.longValue(node, "epoch", "epoch");
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
            tasks);
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
