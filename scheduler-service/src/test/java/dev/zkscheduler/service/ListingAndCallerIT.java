package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the console needs beyond docs/api.md's first version: who the caller is, the job list
 * searched, filtered by state and with each job's status, and the OpenAPI document itself.
 */
class ListingAndCallerIT {

  private static TestService service;
  private static ApiClient admin;

  @BeforeAll
  static void start() throws Exception {
    service =
        TestService.embedded(
                "listing-it", Files.createTempDirectory("zks-listing-it"), TestService.freePort())
            .start();
    admin = service.api(TestService.ADMIN);
    create("alpha-report", "Builds the ALPHA report", "{\"id\":\"t\",\"type\":\"noop\"}", false);
    create("beta-paused", "paused on purpose", "{\"id\":\"t\",\"type\":\"noop\"}", true);
    create(
        "gamma-failing",
        "fails",
        "{\"id\":\"t\",\"type\":\"noop\",\"config\":{\"fail\":true}}",
        false);
    create(
        "delta-running",
        "sleeps",
        "{\"id\":\"t\",\"type\":\"noop\",\"config\":{\"sleep\":\"PT30S\"}}",
        false);
    String failed = trigger("gamma-failing");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state("gamma-failing", failed).equals("FAILED"));
    String running = trigger("delta-running");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state("delta-running", running).equals("RUNNING"));
  }

  @AfterAll
  static void stop() {
    service.stop();
  }

  private static void create(String id, String description, String task, boolean paused) {
    Response r =
        admin.post(
            "/api/v1/jobs",
            "{\"id\":\""
                + id
                + "\",\"description\":\""
                + description
                + "\",\"paused\":"
                + paused
                + ",\"tasks\":["
                + task
                + "]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static String trigger(String id) {
    return admin.post("/api/v1/jobs/" + id + "/trigger", null).json().get("runId").asText();
  }

  private static String state(String job, String run) {
    Response r = admin.get("/api/v1/jobs/" + job + "/runs/" + run);
    return r.status() == 200 ? r.json().get("state").asText() : "absent";
  }

  private static List<String> ids(String query) {
    Response r = admin.as(TestService.VIEWER).get("/api/v1/jobs" + query);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().get("jobs").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }

  @Test
  void whoamiNamesTheTokenAndItsRole() {
    JsonNode viewer = admin.as(TestService.VIEWER).get("/api/v1/whoami").json();
    assertThat(viewer.get("name").asText()).isEqualTo("test-viewer");
    assertThat(viewer.get("role").asText()).isEqualTo("viewer");
    assertThat(admin.as(TestService.OPERATOR).get("/api/v1/whoami").json().get("role").asText())
        .isEqualTo("operator");
    assertThat(admin.get("/api/v1/whoami").json().get("role").asText()).isEqualTo("admin");
    assertThat(admin.as(null).get("/api/v1/whoami").status()).isEqualTo(401);
    assertThat(admin.as("not-a-known-token-at-all").get("/api/v1/whoami").status()).isEqualTo(401);
  }

  @Test
  void theOpenApiDocumentIsServedWithoutAToken() {
    Response r = admin.as(null).get("/api/v1/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(r.json().get("paths").has("/api/v1/jobs/{id}/runs/{runId}")).isTrue();
  }

  @Test
  void withoutFiltersTheListIsUnchanged() {
    Response r = admin.get("/api/v1/jobs?limit=2");
    assertThat(r.json().get("jobs")).hasSize(2);
    assertThat(r.json().get("jobs").get(0).has("status")).isFalse();
    assertThat(r.json().get("next").asText()).isEqualTo("beta-paused");
  }

  @Test
  void statusTrueAddsEachJobsStatus() {
    JsonNode jobs = admin.get("/api/v1/jobs?status=true").json().get("jobs");
    assertThat(jobs).hasSize(4);
    jobs.forEach(j -> assertThat(j.has("status")).as(j.toString()).isTrue());
    assertThat(jobs.get(1).get("status").get("paused").asBoolean()).isTrue();
    assertThat(jobs.get(3).get("status").get("lastRun").get("state").asText()).isEqualTo("FAILED");
  }

  @Test
  void qSearchesIdsAndDescriptionsIgnoringCase() {
    assertThat(ids("?q=alpha")).containsExactly("alpha-report");
    assertThat(ids("?q=PURPOSE")).containsExactly("beta-paused");
    assertThat(ids("?q=a")).hasSize(4);
    assertThat(ids("?q=nothing-like-this")).isEmpty();
  }

  @Test
  void stateFiltersByPausedFailingAndRunning() {
    assertThat(ids("?state=paused")).containsExactly("beta-paused");
    assertThat(ids("?state=failing")).containsExactly("gamma-failing");
    assertThat(ids("?state=running")).containsExactly("delta-running");
    assertThat(ids("?state=FAILING&q=gamma&status=true")).containsExactly("gamma-failing");
    assertThat(ids("?state=failing&q=alpha")).isEmpty();
  }

  @Test
  void aFilteredPageStopsAtItsLimitAndSaysWhereToGoOn() {
    JsonNode first = admin.get("/api/v1/jobs?q=a&limit=3").json();
    assertThat(first.get("jobs")).hasSize(3);
    assertThat(first.get("next").asText()).isEqualTo("delta-running");
    JsonNode rest = admin.get("/api/v1/jobs?q=a&limit=3&after=delta-running").json();
    assertThat(rest.get("jobs")).hasSize(1);
    assertThat(rest.get("next").isNull()).isTrue();
  }

  @Test
  void badFilterValuesAre422OnTheirParameter() {
    Response state = admin.get("/api/v1/jobs?state=sleeping");
    assertThat(state.status()).isEqualTo(422);
    assertThat(state.json().get("errors").get(0).get("field").asText()).isEqualTo("state");
    Response status = admin.get("/api/v1/jobs?status=yes");
    assertThat(status.status()).isEqualTo(422);
    assertThat(status.json().get("errors").get(0).get("field").asText()).isEqualTo("status");
  }
}
