package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.Ledger;
import dev.zkscheduler.service.support.TestService;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real service on its embedded ZooKeeper, walked through docs/api.md: jobs, runs against a
 * local HTTP endpoint, DAG order, cancel, pause/resume, backfill, ETags, and the admin port.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiIT {

  private static final Path DATA = tempDir();

  static final DropwizardAppExtension<SchedulerConfiguration> APP =
      new DropwizardAppExtension<>(
          SchedulerApplication.class,
          ResourceHelpers.resourceFilePath("test-service.yml"),
          ConfigOverride.config("zookeeper.embedded.dataDir", DATA.toString()),
          ConfigOverride.config(
              "zookeeper.embedded.port", Integer.toString(TestService.freePort())),
          ConfigOverride.config("scheduler.instanceId", "api-it"));

  private static Ledger ledger;

  @BeforeAll
  static void startLedger() throws IOException {
    ledger = new Ledger();
  }

  @AfterAll
  static void stopLedger() {
    ledger.close();
  }

  private static ApiClient api() {
    return new ApiClient("http://127.0.0.1:" + APP.getLocalPort(), TestService.ADMIN);
  }

  private static ApiClient adminPort() {
    return new ApiClient("http://127.0.0.1:" + APP.getAdminPort(), null);
  }

  private static String httpTask(String id, String path, String... dependsOn) {
    StringBuilder deps = new StringBuilder();
    for (String d : dependsOn) {
      deps.append(deps.length() == 0 ? "" : ",").append('"').append(d).append('"');
    }
    return "{\"id\":\""
        + id
        + "\",\"type\":\"http\",\"config\":{\"url\":\""
        + ledger.url(path)
        + "\"},\"dependsOn\":["
        + deps
        + "]}";
  }

  private static JsonNode awaitRunState(String job, String runId, String state) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Response r = api().get("/api/v1/jobs/" + job + "/runs/" + runId);
              assertThat(r.status()).as(r.toString()).isEqualTo(200);
              last[0] = r.json();
              assertThat(r.json().get("state").asText()).as(r.toString()).isEqualTo(state);
            });
    return last[0];
  }

  @Test
  void createPreviewTriggerRunsAgainstAnHttpEndpoint() {
    String body =
        "{\"id\":\"etl\",\"description\":\"daily\",\"schedule\":{\"cron\":\"0 9 * * *\","
            + "\"timeZone\":\"America/New_York\"},\"tasks\":["
            + httpTask("extract", "/etl/extract")
            + "]}";
    Response created = api().post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("Location")).endsWith("/api/v1/jobs/etl");
    assertThat(created.json().get("schedule").get("timeZone").asText())
        .isEqualTo("America/New_York");
    assertThat(created.json().get("misfirePolicy").asText()).isEqualTo("FIRE_ONCE");

    Response got = api().get("/api/v1/jobs/etl");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.header("ETag")).isNotBlank();
    assertThat(got.json().get("status").get("paused").asBoolean()).isFalse();
    assertThat(Instant.parse(got.json().get("status").get("nextFireTime").asText()))
        .isAfter(Instant.now());

    Response preview = api().get("/api/v1/jobs/etl/preview?count=3&from=2026-03-07T00:00:00Z");
    assertThat(preview.status()).isEqualTo(200);
    List<String> utc = new ArrayList<>();
    List<String> local = new ArrayList<>();
    preview
        .json()
        .get("fireTimes")
        .forEach(
            t -> {
              utc.add(t.get("utc").asText());
              local.add(t.get("local").asText());
            });
    // 9:00 in New York across the 2026-03-08 spring-forward: 14:00Z, then 13:00Z.
    assertThat(utc)
        .containsExactly("2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z");
    assertThat(local)
        .containsExactly(
            "2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00");

    Response triggered = api().as(TestService.OPERATOR).post("/api/v1/jobs/etl/trigger", null);
    assertThat(triggered.status()).as(triggered.toString()).isEqualTo(202);
    String runId = triggered.json().get("runId").asText();
    JsonNode run = awaitRunState("etl", runId, "SUCCEEDED");
    assertThat(run.get("trigger").asText()).isEqualTo("MANUAL");
    assertThat(run.get("jobId").asText()).isEqualTo("etl");
    assertThat(run.get("epoch").asLong()).isPositive();
    JsonNode task = run.get("tasks").get("extract");
    assertThat(task.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(task.get("attempts").asInt()).isEqualTo(1);
    assertThat(task.get("node").asText()).isEqualTo("api-it");
    assertThat(task.get("worker").asText()).matches("api-it~[0-9a-f]+");

    List<Ledger.Entry> calls = ledger.entries("etl");
    assertThat(calls).hasSize(1);
    Ledger.Entry call = calls.get(0);
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.run()).isEqualTo(runId);
    assertThat(call.task()).isEqualTo("extract");
    assertThat(call.attempt()).isEqualTo(1);
    assertThat(call.fencingToken()).isPositive(); // its assignment's czxid, not the epoch

    Response runs = api().as(TestService.VIEWER).get("/api/v1/jobs/etl/runs?limit=10");
    assertThat(runs.status()).isEqualTo(200);
    assertThat(runs.json().get("runs").get(0).get("id").asText()).isEqualTo(runId);
    assertThat(api().get("/api/v1/jobs/etl").json().get("status").get("lastRun").get("id").asText())
        .isEqualTo(runId);
  }

  @Test
  void dagTasksRunInDependencyOrderAndAFailureStopsDownstream() {
    String body =
        "{\"id\":\"dag\",\"tasks\":["
            + httpTask("load", "/dag/load", "transform")
            + ","
            + httpTask("extract", "/dag/extract")
            + ","
            + httpTask("transform", "/dag/transform", "extract")
            + "]}";
    assertThat(api().post("/api/v1/jobs", body).status()).isEqualTo(201);
    String runId = api().post("/api/v1/jobs/dag/trigger", null).json().get("runId").asText();
    awaitRunState("dag", runId, "SUCCEEDED");
    assertThat(ledger.entries("dag").stream().map(Ledger.Entry::task).toList())
        .containsExactly("extract", "transform", "load");

    String failing =
        "{\"id\":\"dag-fail\",\"tasks\":["
            + httpTask("a", "/dag-fail/a")
            + ","
            + httpTask("b", "/dag-fail/b", "a")
            + "],\"retry\":{\"maxAttempts\":2,\"initialDelay\":\"PT0.1S\"}}";
    ledger.respond("/dag-fail/a", 503);
    assertThat(api().post("/api/v1/jobs", failing).status()).isEqualTo(201);
    String failedRun =
        api().post("/api/v1/jobs/dag-fail/trigger", null).json().get("runId").asText();
    JsonNode run = awaitRunState("dag-fail", failedRun, "FAILED");
    assertThat(run.get("tasks").get("a").get("attempts").asInt()).isEqualTo(2);
    assertThat(run.get("tasks").get("a").get("error").asText()).contains("503");
    assertThat(run.get("tasks").get("b").get("state").asText()).isEqualTo("UPSTREAM_FAILED");
    assertThat(ledger.entries("dag-fail")).extracting(Ledger.Entry::task).containsOnly("a");
  }

  @Test
  void cancelStopsARunningTask() {
    ledger.delay("/slow", 60_000);
    String body =
        "{\"id\":\"slow\",\"tasks\":[" + httpTask("wait", "/slow") + "],\"timeout\":\"PT5M\"}";
    assertThat(api().post("/api/v1/jobs", body).status()).isEqualTo(201);
    String runId = api().post("/api/v1/jobs/slow/trigger", null).json().get("runId").asText();
    awaitRunState("slow", runId, "RUNNING");
    await().atMost(Duration.ofSeconds(10)).until(() -> !ledger.entries("slow").isEmpty());

    Response cancel =
        api().as(TestService.OPERATOR).post("/api/v1/jobs/slow/runs/" + runId + "/cancel", null);
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
    JsonNode run = awaitRunState("slow", runId, "CANCELLED");
    assertThat(run.get("tasks").get("wait").get("state").asText()).isEqualTo("CANCELLED");
    assertThat(run.get("finishedAt").isNull()).isFalse();

    // Cancelling a run that is already terminal is accepted and changes nothing.
    assertThat(api().post("/api/v1/jobs/slow/runs/" + runId + "/cancel", null).status())
        .isEqualTo(202);
    assertThat(api().get("/api/v1/jobs/slow/runs/" + runId).json().get("state").asText())
        .isEqualTo("CANCELLED");
    assertThat(api().post("/api/v1/jobs/slow/runs/no-such-run/cancel", null).status())
        .isEqualTo(404);
  }

  @Test
  void putCreatesAndReplacesWithIfMatchAndDeleteRemoves() {
    String v1 =
        "{\"id\":\"put\",\"schedule\":{\"interval\":\"PT1H\"},\"tasks\":[{\"id\":\"t\","
            + "\"type\":\"noop\"}]}";
    Response created = api().put("/api/v1/jobs/put", v1, Map.of());
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    String etag = created.header("ETag");
    String anchor = created.json().get("schedule").get("startAt").asText();

    String v2 = v1.replace("\"t\"", "\"t2\"");
    Response stale = api().put("/api/v1/jobs/put", v2, Map.of("If-Match", "\"999\""));
    assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
    assertThat(api().get("/api/v1/jobs/put").json().get("tasks").get(0).get("id").asText())
        .isEqualTo("t");

    Response replaced = api().put("/api/v1/jobs/put", v2, Map.of("If-Match", etag));
    assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    assertThat(replaced.header("ETag")).isNotEqualTo(etag);
    assertThat(replaced.json().get("tasks").get(0).get("id").asText()).isEqualTo("t2");
    // The interval's anchor is kept when the replacement omits startAt.
    assertThat(replaced.json().get("schedule").get("startAt").asText()).isEqualTo(anchor);

    Response mismatch =
        api().put("/api/v1/jobs/put", v2.replace("\"id\":\"put\"", "\"id\":\"other\""), Map.of());
    assertThat(mismatch.status()).isEqualTo(422);
    assertThat(mismatch.json().get("errors").get(0).get("field").asText()).isEqualTo("id");

    assertThat(api().delete("/api/v1/jobs/put").status()).isEqualTo(204);
    assertThat(api().get("/api/v1/jobs/put").status()).isEqualTo(404);
    assertThat(api().delete("/api/v1/jobs/put").status()).isEqualTo(404);
  }

  @Test
  void pauseResumeAndBackfill() {
    String body =
        "{\"id\":\"bf\",\"schedule\":{\"interval\":\"PT1H\",\"startAt\":\"2026-01-01T00:00:00Z\"},"
            + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}],\"misfirePolicy\":\"SKIP\","
            + "\"misfireThreshold\":\"PT10M\"}";
    Response created = api().post("/api/v1/jobs", body);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("misfireThreshold").asText()).isEqualTo("PT10M");
    Response paused = api().as(TestService.OPERATOR).post("/api/v1/jobs/bf/pause", null);
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.json().get("paused").asBoolean()).isTrue();
    // Pausing rewrites the job: its own threshold is kept.
    assertThat(api().get("/api/v1/jobs/bf").json().get("misfireThreshold").asText())
        .isEqualTo("PT10M");
    assertThat(api().get("/api/v1/jobs/bf").json().get("status").get("paused").asBoolean())
        .isTrue();
    Response resumed = api().as(TestService.OPERATOR).post("/api/v1/jobs/bf/resume", null);
    assertThat(resumed.json().get("paused").asBoolean()).isFalse();

    Response backfill =
        api()
            .as(TestService.OPERATOR)
            .post(
                "/api/v1/jobs/bf/backfill",
                "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-01T03:00:00Z\"}");
    assertThat(backfill.status()).as(backfill.toString()).isEqualTo(202);
    List<String> ids = new ArrayList<>();
    backfill.json().get("runIds").forEach(n -> ids.add(n.asText()));
    assertThat(ids).hasSize(3);
    for (String id : ids) {
      JsonNode run = awaitRunState("bf", id, "SUCCEEDED");
      assertThat(run.get("trigger").asText()).isEqualTo("BACKFILL");
    }
    assertThat(
            ids.stream()
                .map(id -> api().get("/api/v1/jobs/bf/runs/" + id).json())
                .map(r -> r.get("nominalTime").asText())
                .sorted()
                .toList())
        .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z");
  }

  @Test
  void listingPagesInIdOrder() {
    for (String id : List.of("page-c", "page-a", "page-b")) {
      String body = "{\"id\":\"" + id + "\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}";
      assertThat(api().post("/api/v1/jobs", body).status()).isEqualTo(201);
    }
    Response first = api().as(TestService.VIEWER).get("/api/v1/jobs?limit=2&after=page-");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("jobs"))
        .extracting(j -> j.get("id").asText())
        .containsExactly("page-a", "page-b");
    String next = first.json().get("next").asText();
    Response second = api().get("/api/v1/jobs?limit=2&after=" + next);
    assertThat(second.json().get("jobs").get(0).get("id").asText()).isEqualTo("page-c");
  }

  @Test
  void clusterViewNamesThisNodeAsLeader() {
    Response cluster = api().as(TestService.VIEWER).get("/api/v1/cluster");
    assertThat(cluster.status()).isEqualTo(200);
    JsonNode json = cluster.json();
    assertThat(json.get("leader").asText()).isEqualTo("api-it");
    assertThat(json.get("epoch").asLong()).isPositive();
    assertThat(json.get("self").get("id").asText()).isEqualTo("api-it");
    assertThat(json.get("self").get("leader").asBoolean()).isTrue();
    assertThat(json.get("members")).hasSize(1);
    assertThat(json.get("members").get(0).get("since").asText()).isNotBlank();
    assertThat(json.get("members").get(0).get("version").asText())
        .as("the build's version, filled in from the pom")
        .isEqualTo(BuildInfo.current().version())
        .isNotEqualTo("dev");
  }

  @Test
  void adminPortServesHealthMetricsAndPrometheus() {
    Response health = adminPort().get("/healthcheck");
    assertThat(health.status()).as(health.toString()).isEqualTo(200);
    assertThat(health.json().fieldNames())
        .toIterable()
        .contains("zookeeper", "scheduler-loop", "leadership");
    assertThat(adminPort().get("/ping").status()).isEqualTo(200);
    assertThat(adminPort().get("/threads").body()).contains("zk-scheduler");
    Response metrics = adminPort().get("/metrics");
    assertThat(metrics.json().get("gauges").get("zkscheduler.leader").get("value").asInt())
        .isEqualTo(1);
    Response prometheus = adminPort().get("/metrics/prometheus");
    assertThat(prometheus.status()).isEqualTo(200);
    assertThat(prometheus.header("Content-Type")).startsWith("text/plain");
    assertThat(prometheus.body())
        .contains("# TYPE zkscheduler_leader gauge", "zkscheduler_leader 1.0");
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("zks-api-it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
