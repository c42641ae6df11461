package dev.zkscheduler.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.store.codec.JsonCodec;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The wire shapes of API.md, built as JSON trees from core values. Jobs use the core codec's shape
 * (API.md's job definition) so the two can never drift; runs, status and the cluster view are
 * written here field by field.
 */
public final class ApiJson {

  private final ObjectMapper mapper;

  public ApiJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public ObjectNode job(JobDefinition job) {
    try {
      return (ObjectNode) mapper.readTree(JsonCodec.toJson(job));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render job " + job.id(), e);
    }
  }

  public ObjectNode jobWithStatus(JobDefinition job, JobStatus status) {
    ObjectNode node = job(job);
    ObjectNode s = node.putObject("status");
    s.put("paused", status.paused());
    put(s, "nextFireTime", status.nextFireTime());
    if (status.lastRun() == null) {
      s.putNull("lastRun");
    } else {
      s.set("lastRun", run(status.lastRun()));
    }
    return node;
  }

  public ObjectNode run(Run run) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", run.id());
    node.put("jobId", run.jobId());
    put(node, "nominalTime", run.nominalTime());
    node.put("trigger", run.trigger().name());
    node.put("state", run.state().name());
    put(node, "createdAt", run.createdAt());
    put(node, "startedAt", run.startedAt());
    put(node, "finishedAt", run.finishedAt());
    node.put("epoch", run.epoch());
    ObjectNode tasks = node.putObject("tasks");
    run.tasks().forEach((id, task) -> tasks.set(id, task(task)));
    return node;
  }

  private ObjectNode task(TaskRun task) {
    ObjectNode node = mapper.createObjectNode();
    node.put("state", task.state().name());
    node.put("attempts", task.attempts());
    put(node, "startedAt", task.startedAt());
    put(node, "finishedAt", task.finishedAt());
    put(node, "nextAttemptAt", task.nextAttemptAt());
    if (task.node() == null) {
      node.putNull("node");
    } else {
      node.put("node", task.node());
    }
    if (task.error() == null) {
      node.putNull("error");
    } else {
      node.put("error", task.error());
    }
    return node;
  }

  public ObjectNode cluster(ClusterStatus status) {
    ObjectNode node = mapper.createObjectNode();
    if (status.leaderId() == null) {
      node.putNull("leader");
    } else {
      node.put("leader", status.leaderId());
    }
    node.put("epoch", status.epoch());
    ObjectNode self = node.putObject("self");
    self.put("id", status.selfId());
    self.put("leader", status.selfLeader());
    ArrayNode members = node.putArray("members");
    for (Member m : status.members()) {
      ObjectNode member = members.addObject();
      member.put("id", m.id());
      if (m.address() == null) {
        member.putNull("address");
      } else {
        member.put("address", m.address());
      }
      put(member, "since", m.since());
    }
    return node;
  }

  public ObjectNode fireTimes(List<ZonedDateTime> times) {
    ObjectNode node = mapper.createObjectNode();
    ArrayNode list = node.putArray("fireTimes");
    for (ZonedDateTime t : times) {
      ObjectNode entry = list.addObject();
      entry.put("utc", t.toInstant().toString());
      entry.put("local", t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }
    return node;
  }

  public ObjectNode error(int code, String message) {
    ObjectNode node = mapper.createObjectNode();
    node.put("code", code);
    node.put("message", message);
    return node;
  }

  public ObjectNode validation(JobValidationException e) {
    ObjectNode node = error(422, "the request is invalid: " + e.errors().size() + " problem(s)");
    ArrayNode errors = node.putArray("errors");
    e.errors()
        .forEach(
            err -> {
              ObjectNode entry = errors.addObject();
              entry.put("field", err.field());
              entry.put("message", err.message());
            });
    return node;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  private static void put(ObjectNode node, String name, Instant instant) {
    if (instant == null) {
      node.putNull(name);
    } else {
      node.put(name, instant.toString());
    }
  }
}
