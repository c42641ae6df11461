package dev.zkscheduler.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The read-only answers, written by the same kind of mapper as the server's: unset values are
 * explicit nulls (clients test for them), optional parts are absent, and fields keep their order.
 */
class WireShapeTest {

  private static final ObjectMapper JSON = Jackson.newObjectMapper();
  private static final Instant T = Instant.parse("2026-05-01T12:00:00Z");

  private static JsonNode json(Object dto) throws Exception {
    return JSON.readTree(JSON.writeValueAsString(dto));
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Run run(TaskRun... tasks) {
    Map<String, TaskRun> byId = new LinkedHashMap<>();
    for (int i = 0; i < tasks.length; i++) {
      byId.put("t" + i, tasks[i]);
    }
    return new Run("r1", "job", null, RunTrigger.MANUAL, RunState.PENDING, T, null, null, 3, byId);
  }

  @Test
  void aRunAnswersEveryFieldWithUnsetOnesAsNull() throws Exception {
    TaskRun failed =
        new TaskRun(TaskState.FAILED, 2, T, T.plusSeconds(1), null, "node-a~1f2e", "boom");

    JsonNode run = json(RunDto.from(run(TaskRun.pending(), failed)));

    assertThat(names(run))
        .containsExactly(
            "id",
            "jobId",
            "nominalTime",
            "trigger",
            "state",
            "createdAt",
            "startedAt",
            "finishedAt",
            "epoch",
            "tasks");
    assertThat(run.get("nominalTime").isNull()).isTrue();
    assertThat(run.get("createdAt").asText()).isEqualTo(T.toString());
    assertThat(run.get("epoch").asLong()).isEqualTo(3);
    assertThat(names(run.get("tasks"))).containsExactly("t0", "t1");
    JsonNode pending = run.get("tasks").get("t0");
    assertThat(names(pending))
        .containsExactly(
            "state",
            "attempts",
            "startedAt",
            "finishedAt",
            "nextAttemptAt",
            "node",
            "worker",
            "error");
    assertThat(pending.get("node").isNull()).isTrue();
    assertThat(pending.get("worker").isNull()).isTrue();
    assertThat(pending.get("error").isNull()).isTrue();
    assertThat(run.get("tasks").get("t1").get("error").asText()).isEqualTo("boom");
    assertThat(run.get("tasks").get("t1").get("node").asText()).isEqualTo("node-a");
    assertThat(run.get("tasks").get("t1").get("worker").asText()).isEqualTo("node-a~1f2e");
  }

  @Test
  void aJobWithStatusEndsWithItAndANeverRunJobHasNullLastRun() throws Exception {
    JobDefinition job = JobDefinition.builder("j").task("t", "noop").build();

    JsonNode node = json(new JobMapper().toDto(job, new JobStatus(true, null, null)));

    assertThat(names(node)).last().isEqualTo("status");
    assertThat(names(node.get("status"))).containsExactly("paused", "nextFireTime", "lastRun");
    assertThat(node.get("status").get("nextFireTime").isNull()).isTrue();
    assertThat(node.get("status").get("lastRun").isNull()).isTrue();
  }

  @Test
  void theClusterViewNamesALeaderlessClusterWithNull() throws Exception {
    ClusterStatus status =
        new ClusterStatus(null, 7, "me", false, List.of(new Member("me", null, "1.0", T)));

    JsonNode node = json(ClusterDto.from(status));

    assertThat(names(node)).containsExactly("leader", "epoch", "self", "members");
    assertThat(node.get("leader").isNull()).isTrue();
    assertThat(names(node.get("self"))).containsExactly("id", "leader");
    JsonNode member = node.get("members").get(0);
    assertThat(names(member))
        .as("the contract's fields come first")
        .containsExactly(
            "id",
            "address",
            "version",
            "since",
            "role",
            "worker",
            "capacity",
            "running",
            "taskTypes",
            "draining");
    assertThat(member.get("version").asText()).isEqualTo("1.0");
    assertThat(member.get("address").isNull()).isTrue();
    assertThat(member.get("role").asText()).isEqualTo("both");
    assertThat(member.get("worker").isNull()).as("a member that runs nothing").isTrue();
  }

  @Test
  void aWorkingMemberShowsItsWorkerAndLoad() throws Exception {
    ClusterStatus status =
        new ClusterStatus(
            "me",
            7,
            "me",
            true,
            List.of(new Member("me", "h:1", "1.0", T, "worker")),
            List.of(
                new ClusterStatus.WorkerLoad(
                    new dev.zkscheduler.cluster.WorkerInfo(
                        "me~1a", "me", 8, java.util.Set.of("noop", "http"), false),
                    3)));

    JsonNode member = json(ClusterDto.from(status)).get("members").get(0);

    assertThat(member.get("role").asText()).isEqualTo("worker");
    assertThat(member.get("worker").asText()).isEqualTo("me~1a");
    assertThat(member.get("capacity").asInt()).isEqualTo(8);
    assertThat(member.get("running").asInt()).isEqualTo(3);
    assertThat(member.get("taskTypes").toString()).isEqualTo("[\"http\",\"noop\"]");
    assertThat(member.get("draining").asBoolean()).isFalse();
  }

  @Test
  void errorsCarryTheListOnlyWhenAFieldIsToBlame() throws Exception {
    JsonNode plain = json(ErrorDto.of(404, "no job 'x'"));
    JsonNode invalid =
        json(
            ErrorDto.from(
                new JobValidationException(
                    List.of(new FieldError("a", "bad"), new FieldError("b.c", "worse")))));

    assertThat(names(plain)).containsExactly("code", "message");
    assertThat(names(invalid)).containsExactly("code", "message", "errors");
    assertThat(invalid.get("code").asInt()).isEqualTo(422);
    assertThat(invalid.get("message").asText()).contains("2 problem(s)");
    assertThat(invalid.get("errors").get(1).get("field").asText()).isEqualTo("b.c");
  }

  @Test
  void previewGivesEachTimeInUtcAndInTheScheduleZone() throws Exception {
    ZonedDateTime paris = T.atZone(ZoneId.of("Europe/Paris"));

    JsonNode node = json(FireTimesDto.from(List.of(paris)));

    JsonNode first = node.get("fireTimes").get(0);
    assertThat(first.get("utc").asText()).isEqualTo(T.toString());
    assertThat(first.get("local").asText()).isEqualTo("2026-05-01T14:00:00+02:00");
  }

  @Test
  void aLastPageHasAnExplicitNullCursor() throws Exception {
    JsonNode node = json(new JobPageDto(List.of(), null));

    assertThat(node.has("next")).isTrue();
    assertThat(node.get("next").isNull()).isTrue();
  }
}
