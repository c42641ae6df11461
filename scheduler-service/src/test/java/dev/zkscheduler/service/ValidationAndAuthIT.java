package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.TestService;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error of docs/api.md against the real service: each bad input gets its status and a JSON
 * body naming the field, and changes nothing; each role gets exactly the calls it is allowed.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ValidationAndAuthIT {

  static final DropwizardAppExtension<SchedulerConfiguration> APP =
      new DropwizardAppExtension<>(
          SchedulerApplication.class,
          ResourceHelpers.resourceFilePath("test-service.yml"),
          ConfigOverride.config("zookeeper.embedded.dataDir", tempDir()),
          ConfigOverride.config(
              "zookeeper.embedded.port", Integer.toString(TestService.freePort())),
          ConfigOverride.config("scheduler.instanceId", "validation-it"));

  private static final String NOOP = "[{\"id\":\"t\",\"type\":\"noop\"}]";

  private static ApiClient api(String token) {
    return new ApiClient("http://127.0.0.1:" + APP.getLocalPort(), token);
  }

  private static ApiClient admin() {
    return api(TestService.ADMIN);
  }

  private static String job(String id, String rest) {
    return "{\"id\":\"" + id + "\"" + (rest.isEmpty() ? "" : "," + rest) + "}";
  }

  static Stream<Arguments> invalidJobs() {
    return Stream.of(
        Arguments.of("uppercase id", job("Bad", "\"tasks\":" + NOOP), "id"),
        Arguments.of("id escaping the namespace", job("../etc", "\"tasks\":" + NOOP), "id"),
        Arguments.of("id with a slash", job("a/b", "\"tasks\":" + NOOP), "id"),
        Arguments.of("id too long", job("a".repeat(129), "\"tasks\":" + NOOP), "id"),
        Arguments.of("missing id", "{\"tasks\":" + NOOP + "}", "id"),
        Arguments.of("no tasks", job("j", "\"tasks\":[]"), "tasks"),
        Arguments.of(
            "unknown zone",
            job(
                "j",
                "\"schedule\":{\"cron\":\"0 9 * * *\",\"timeZone\":\"Mars/Base\"},\"tasks\":"
                    + NOOP),
            "schedule.timeZone"),
        Arguments.of(
            "fixed offset zone",
            job(
                "j",
                "\"schedule\":{\"cron\":\"0 9 * * *\",\"timeZone\":\"+02:00\"},\"tasks\":" + NOOP),
            "schedule.timeZone"),
        Arguments.of(
            "bad cron",
            job("j", "\"schedule\":{\"cron\":\"61 * * * *\"},\"tasks\":" + NOOP),
            "schedule.cron"),
        Arguments.of(
            "two schedule kinds",
            job(
                "j",
                "\"schedule\":{\"cron\":\"0 9 * * *\",\"interval\":\"PT1M\"},\"tasks\":" + NOOP),
            "schedule"),
        Arguments.of(
            "interval under a second",
            job("j", "\"schedule\":{\"interval\":\"PT0.5S\"},\"tasks\":" + NOOP),
            "schedule.interval"),
        Arguments.of(
            "negative interval",
            job("j", "\"schedule\":{\"interval\":\"-PT1M\"},\"tasks\":" + NOOP),
            "schedule.interval"),
        Arguments.of(
            "negative timeout", job("j", "\"timeout\":\"-PT1S\",\"tasks\":" + NOOP), "timeout"),
        Arguments.of(
            "unparseable duration",
            job("j", "\"timeout\":\"10 minutes\",\"tasks\":" + NOOP),
            "timeout"),
        Arguments.of(
            "zero misfire threshold",
            job("j", "\"misfireThreshold\":\"PT0S\",\"tasks\":" + NOOP),
            "misfireThreshold"),
        Arguments.of(
            "misfire threshold over a day",
            job("j", "\"misfireThreshold\":\"P2D\",\"tasks\":" + NOOP),
            "misfireThreshold"),
        Arguments.of(
            "unparseable misfire threshold",
            job("j", "\"misfireThreshold\":\"1 minute\",\"tasks\":" + NOOP),
            "misfireThreshold"),
        Arguments.of(
            "bad instant",
            job("j", "\"schedule\":{\"at\":\"tomorrow\"},\"tasks\":" + NOOP),
            "schedule.at"),
        Arguments.of(
            "unknown misfire policy",
            job("j", "\"misfirePolicy\":\"SOMETIMES\",\"tasks\":" + NOOP),
            "misfirePolicy"),
        Arguments.of(
            "zero attempts",
            job("j", "\"retry\":{\"maxAttempts\":0},\"tasks\":" + NOOP),
            "retry.maxAttempts"),
        Arguments.of(
            "jitter above 1",
            job("j", "\"retry\":{\"jitter\":2.0},\"tasks\":" + NOOP),
            "retry.jitter"),
        Arguments.of(
            "cycle",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"c\"]},"
                    + "{\"id\":\"b\",\"type\":\"noop\",\"dependsOn\":[\"a\"]},"
                    + "{\"id\":\"c\",\"type\":\"noop\",\"dependsOn\":[\"b\"]}]"),
            "tasks["),
        Arguments.of(
            "self dependency",
            job("j", "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"a\"]}]"),
            "tasks[0].dependsOn"),
        Arguments.of(
            "unknown dependency",
            job("j", "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"zz\"]}]"),
            "tasks[0].dependsOn"),
        Arguments.of(
            "duplicate task ids",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\"},{\"id\":\"a\",\"type\":\"noop\"}]"),
            "tasks[1].id"),
        Arguments.of(
            "bad task id",
            job("j", "\"tasks\":[{\"id\":\"A B\",\"type\":\"noop\"}]"),
            "tasks[0].id"),
        Arguments.of(
            "unknown task type",
            job("j", "\"tasks\":[{\"id\":\"a\",\"type\":\"ftp\"}]"),
            "tasks[0].type"),
        Arguments.of(
            "shell while disabled",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"shell\",\"config\":{\"command\":[\"true\"]}}]"),
            "tasks[0].type"),
        Arguments.of(
            "http without url",
            job("j", "\"tasks\":[{\"id\":\"a\",\"type\":\"http\",\"config\":{}}]"),
            "tasks[0].config.url"),
        Arguments.of(
            "http with a file url",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"http\",\"config\":{\"url\":\"file:///etc/passwd\"}}]"),
            "tasks[0].config.url"),
        Arguments.of(
            "malformed secret reference in a header",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"http\",\"config\":{\"url\":\"http://x/\","
                    + "\"headers\":{\"Authorization\":\"Bearer ${env:TOKEN\"}}}]"),
            "tasks[0].config.headers.Authorization"),
        Arguments.of(
            "redaction marker with no stored value",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"http\",\"config\":{\"url\":\"http://x/\","
                    + "\"headers\":{\"Authorization\":\"<redacted>\"}}}]"),
            "tasks[0].config.headers.Authorization"),
        Arguments.of(
            "noop with a bad sleep",
            job(
                "j",
                "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"config\":{\"sleep\":\"-PT1S\"}}]"),
            "tasks[0].config.sleep"),
        Arguments.of(
            "wrong JSON type", job("j", "\"paused\":\"yes\",\"tasks\":" + NOOP), "paused"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidJobs")
  void invalidJobIs422NamingTheFieldAndWritesNothing(String name, String body, String field) {
    Response post = admin().post("/api/v1/jobs", body);
    assertThat(post.status()).as(post.toString()).isEqualTo(422);
    assertThat(post.json().get("code").asInt()).isEqualTo(422);
    assertThat(post.json().get("message").asText()).isNotBlank();
    List<String> fields = new ArrayList<>();
    post.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).as(post.toString()).anySatisfy(f -> assertThat(f).startsWith(field));
    post.json().get("errors").forEach(e -> assertThat(e.get("message").asText()).isNotBlank());

    if (!field.equals("id")) {
      // The same definition through PUT (create-or-replace) is refused the same way.
      Response put = admin().put("/api/v1/jobs/j", body, Map.of());
      assertThat(put.status()).as(put.toString()).isEqualTo(422);
    }
    assertThat(admin().get("/api/v1/jobs/j").status()).isEqualTo(404);
  }

  @Test
  void cycleErrorNamesTheCycle() {
    Response r =
        admin()
            .post(
                "/api/v1/jobs",
                job(
                    "cyc",
                    "\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"b\"]},"
                        + "{\"id\":\"b\",\"type\":\"noop\",\"dependsOn\":[\"a\"]}]"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).contains("cycle").contains("a -> b -> a");
  }

  @Test
  void malformedAndOversizedBodies() {
    Response broken = admin().post("/api/v1/jobs", "{\"id\": ");
    assertThat(broken.status()).as(broken.toString()).isEqualTo(400);
    assertThat(broken.json().get("code").asInt()).isEqualTo(400);
    assertThat(admin().post("/api/v1/jobs", "[1,2]").status()).isEqualTo(400);
    assertThat(admin().post("/api/v1/jobs", "").status()).isIn(400);

    String huge = job("huge", "\"description\":\"" + "x".repeat(70_000) + "\",\"tasks\":" + NOOP);
    Response tooLarge = admin().post("/api/v1/jobs", huge);
    assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
    assertThat(tooLarge.json().get("code").asInt()).isEqualTo(413);
    // The same body without a Content-Length (chunked) is refused while reading it.
    Response chunked =
        admin()
            .sendBytes(
                "POST",
                "/api/v1/jobs",
                huge.getBytes(StandardCharsets.UTF_8),
                Map.of("Transfer-Encoding", "chunked"));
    assertThat(chunked.status()).isIn(413, 400);
    assertThat(admin().get("/api/v1/jobs/huge").status()).isEqualTo(404);
  }

  @Test
  void conflictsAndUnknowns() {
    String body = job("dup", "\"tasks\":" + NOOP);
    assertThat(admin().post("/api/v1/jobs", body).status()).isEqualTo(201);
    Response again = admin().post("/api/v1/jobs", body);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("message").asText()).contains("dup");

    for (String path :
        List.of(
            "/api/v1/jobs/nope",
            "/api/v1/jobs/nope/runs",
            "/api/v1/jobs/nope/preview",
            "/api/v1/jobs/dup/runs/20260101T000000.000Z",
            "/api/v1/nothing-here")) {
      Response r = admin().get(path);
      assertThat(r.status()).as(r.toString()).isEqualTo(404);
      assertThat(r.json().get("code").asInt()).isEqualTo(404);
    }
    assertThat(admin().post("/api/v1/jobs/nope/trigger", null).status()).isEqualTo(404);
    assertThat(admin().post("/api/v1/jobs/nope/pause", null).status()).isEqualTo(404);
  }

  @Test
  void badQueryParametersAre422() {
    admin()
        .post("/api/v1/jobs", job("q", "\"schedule\":{\"interval\":\"PT1M\"},\"tasks\":" + NOOP));
    assertField(admin().get("/api/v1/jobs/q/preview?count=0"), "count");
    assertField(admin().get("/api/v1/jobs/q/preview?count=1001"), "count");
    assertField(admin().get("/api/v1/jobs/q/preview?from=yesterday"), "from");
    assertField(admin().get("/api/v1/jobs?limit=0"), "limit");
    assertField(admin().get("/api/v1/jobs/q/runs?limit=-1"), "limit");
    assertField(
        admin().post("/api/v1/jobs/q/backfill", "{\"from\":\"2026-01-02T00:00:00Z\"}"), "to");
    assertField(
        admin()
            .post(
                "/api/v1/jobs/q/backfill",
                "{\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}"),
        "to");
    assertThat(admin().get("/api/v1/jobs/q/runs").json().get("runs")).isEmpty();
  }

  private static void assertField(Response r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    List<String> fields = new ArrayList<>();
    r.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).as(r.toString()).contains(field);
  }

  @Test
  void eachRoleGetsExactlyItsCalls() {
    String body = job("roles", "\"tasks\":" + NOOP);
    ApiClient viewer = api(TestService.VIEWER);
    ApiClient operator = api(TestService.OPERATOR);

    for (ApiClient anonymous : List.of(api(null), api("not-a-configured-token-at-all"))) {
      Response r = anonymous.get("/api/v1/jobs");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().get("code").asInt()).isEqualTo(401);
      assertThat(anonymous.post("/api/v1/jobs", body).status()).isEqualTo(401);
      assertThat(anonymous.get("/api/v1/cluster").status()).isEqualTo(401);
    }
    assertThat(viewer.post("/api/v1/jobs", body).status()).isEqualTo(403);
    assertThat(operator.post("/api/v1/jobs", body).status()).isEqualTo(403);
    assertThat(admin().post("/api/v1/jobs", body).status()).isEqualTo(201);

    assertThat(viewer.get("/api/v1/jobs/roles").status()).isEqualTo(200);
    assertThat(viewer.get("/api/v1/cluster").status()).isEqualTo(200);
    Response forbidden = viewer.post("/api/v1/jobs/roles/trigger", null);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.json().get("code").asInt()).isEqualTo(403);
    assertThat(viewer.post("/api/v1/jobs/roles/pause", null).status()).isEqualTo(403);
    assertThat(viewer.post("/api/v1/jobs/roles/backfill", "{}").status()).isEqualTo(403);
    assertThat(viewer.post("/api/v1/jobs/roles/runs/x/cancel", null).status()).isEqualTo(403);

    assertThat(operator.post("/api/v1/jobs/roles/pause", null).status()).isEqualTo(200);
    assertThat(operator.post("/api/v1/jobs/roles/resume", null).status()).isEqualTo(200);
    assertThat(operator.post("/api/v1/jobs/roles/trigger", null).status()).isEqualTo(202);
    assertThat(operator.put("/api/v1/jobs/roles", body, Map.of()).status()).isEqualTo(403);
    assertThat(operator.delete("/api/v1/jobs/roles").status()).isEqualTo(403);
    assertThat(viewer.delete("/api/v1/jobs/roles").status()).isEqualTo(403);

    JsonNode stored = viewer.get("/api/v1/jobs/roles").json();
    assertThat(stored.get("paused").asBoolean()).isFalse();
    assertThat(admin().delete("/api/v1/jobs/roles").status()).isEqualTo(204);
  }

  /**
   * Found by BadInputIT: a body refused unread (413 on its Content-Length) made Jetty close the
   * connection without saying so, and a client reusing it lost its next request.
   */
  @Test
  void aBodyRefusedUnreadLeavesNoHalfClosedConnectionBehind() {
    String huge = job("huge", "\"description\":\"" + "x".repeat(70_000) + "\",\"tasks\":" + NOOP);
    for (int i = 0; i < 200; i++) {
      Response refused = admin().post("/api/v1/jobs", huge);
      assertThat(refused.status()).isEqualTo(413);
      assertThat(admin().get("/api/v1/cluster").status()).isEqualTo(200);
    }
  }

  /**
   * Found by BadInputIT: Jetty answered an illegal URI with an HTML page and dropped the
   * connection.
   */
  @Test
  void errorsJettyAnswersItselfAreJsonAndCloseTheConnectionCleanly() {
    Response illegal = admin().get("/api/v1/jobs/a%00b");
    assertThat(illegal.status()).isEqualTo(400);
    assertThat(illegal.header("Content-Type")).startsWith("application/json");
    assertThat(illegal.json().get("code").asInt()).isEqualTo(400);
    assertThat(admin().get("/api/v1/cluster").status()).isEqualTo(200);
  }

  /**
   * Header values (and shell env values, the same code: {@code SecretFieldsTest}) are the marker in
   * every answer that shows a job, to every role, with their names kept; a PUT of such an answer
   * keeps the stored values, and a marker with nothing stored to keep is refused on its field.
   */
  @Test
  void headerValuesAreRedactedForEveryRoleAndWritingTheAnswerBackKeepsThem() {
    String literal = "literal-secret-value-4711";
    String reference = "${env:ZKS_IT_API_KEY}";
    String body =
        job(
            "secret-roles",
            "\"tasks\":[{\"id\":\"call\",\"type\":\"http\",\"config\":{"
                + "\"url\":\"http://127.0.0.1:1/unreachable\",\"headers\":{"
                + "\"Authorization\":\"Bearer "
                + literal
                + "\",\"X-Api-Key\":\""
                + reference
                + "\"}}}]");
    ApiClient viewer = api(TestService.VIEWER);
    ApiClient operator = api(TestService.OPERATOR);
    List<Response> answers = new ArrayList<>();
    Response created = admin().post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    answers.add(created);
    for (ApiClient client : List.of(viewer, operator, admin())) {
      answers.add(client.get("/api/v1/jobs/secret-roles"));
      answers.add(client.get("/api/v1/jobs"));
    }
    answers.add(operator.post("/api/v1/jobs/secret-roles/pause", null));
    answers.add(operator.post("/api/v1/jobs/secret-roles/resume", null));
    Response readBack = viewer.get("/api/v1/jobs/secret-roles");
    Response replaced = admin().put("/api/v1/jobs/secret-roles", readBack.body(), Map.of());
    assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    answers.add(replaced);
    for (Response answer : answers) {
      assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
      assertThat(answer.body())
          .as(answer.toString())
          .doesNotContain(literal)
          .doesNotContain("ZKS_IT_API_KEY");
      JsonNode job =
          answer.json().has("jobs")
              ? findJob(answer.json().get("jobs"), "secret-roles")
              : answer.json();
      JsonNode headers = job.get("tasks").get(0).get("config").get("headers");
      assertThat(headers.get("Authorization").asText()).isEqualTo("<redacted>");
      assertThat(headers.get("X-Api-Key").asText()).isEqualTo("<redacted>");
      assertThat(job.get("tasks").get(0).get("config").get("url").asText())
          .isEqualTo("http://127.0.0.1:1/unreachable");
    }
    // A run's error names a reference it could not resolve (a reference is no secret), and
    // never a value.
    assertThat(operator.post("/api/v1/jobs/secret-roles/trigger", null).status()).isEqualTo(202);
    Response runs =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> viewer.get("/api/v1/jobs/secret-roles/runs"),
                r ->
                    r.json().get("runs").size() == 1
                        && r.json().get("runs").get(0).get("state").asText().equals("FAILED"));
    assertThat(runs.body()).doesNotContain(literal);
    assertThat(runs.json().get("runs").get(0).get("tasks").get("call").get("error").asText())
        .isEqualTo("header 'X-Api-Key': ${env:ZKS_IT_API_KEY} is not set on node validation-it");
    Map<String, Object> stored =
        APP.<SchedulerApplication>getApplication()
            .scheduler()
            .job("secret-roles")
            .orElseThrow()
            .value()
            .tasks()
            .get(0)
            .config();
    assertThat(stored.get("headers"))
        .isEqualTo(Map.of("Authorization", "Bearer " + literal, "X-Api-Key", reference));

    String newName = readBack.body().replace("\"X-Api-Key\"", "\"X-Other-Key\"");
    Response refused = admin().put("/api/v1/jobs/secret-roles", newName, Map.of());
    assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
    assertThat(refused.json().get("errors").get(0).get("field").asText())
        .isEqualTo("tasks[0].config.headers.X-Other-Key");
    assertThat(admin().delete("/api/v1/jobs/secret-roles").status()).isEqualTo(204);
  }

  private static JsonNode findJob(JsonNode jobs, String id) {
    for (JsonNode job : jobs) {
      if (job.get("id").asText().equals(id)) {
        return job;
      }
    }
    throw new AssertionError("no job " + id + " in " + jobs);
  }

  /** One endpoint of docs/api.md, the least role that may call it, and its answer when allowed. */
  record Endpoint(String method, String path, String body, int rank, int allowedStatus) {}

  /**
   * Every endpoint × no token, a wrong token and each role: 401 without a valid token, 403 below
   * the endpoint's role, the call's own answer from its role up. The calls target an absent job or
   * carry an invalid body, so the matrix changes nothing.
   */
  @Test
  void everyEndpointAgainstEveryCredential() {
    List<Endpoint> endpoints =
        List.of(
            new Endpoint("GET", "/api/v1/jobs", null, 0, 200),
            new Endpoint("GET", "/api/v1/jobs/absent", null, 0, 404),
            new Endpoint("GET", "/api/v1/jobs/absent/preview", null, 0, 404),
            new Endpoint("GET", "/api/v1/jobs/absent/runs", null, 0, 404),
            new Endpoint("GET", "/api/v1/jobs/absent/runs/20260101T000000.000Z", null, 0, 404),
            new Endpoint("GET", "/api/v1/cluster", null, 0, 200),
            new Endpoint("POST", "/api/v1/jobs/absent/pause", null, 1, 404),
            new Endpoint("POST", "/api/v1/jobs/absent/resume", null, 1, 404),
            new Endpoint("POST", "/api/v1/jobs/absent/trigger", null, 1, 404),
            new Endpoint(
                "POST",
                "/api/v1/jobs/absent/backfill",
                "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}",
                1,
                404),
            new Endpoint(
                "POST", "/api/v1/jobs/absent/runs/20260101T000000.000Z/cancel", null, 1, 404),
            new Endpoint("POST", "/api/v1/jobs", "{}", 2, 422),
            new Endpoint("PUT", "/api/v1/jobs/absent", "{}", 2, 422),
            new Endpoint("POST", "/api/v1/jobs/absent/diff", "{}", 2, 422),
            new Endpoint("DELETE", "/api/v1/jobs/absent", null, 2, 404));
    List<String> ranked = List.of(TestService.VIEWER, TestService.OPERATOR, TestService.ADMIN);
    for (Endpoint e : endpoints) {
      for (String token : java.util.Arrays.asList(null, "wrong-token-of-enough-length")) {
        Response r = api(token).send(e.method(), e.path(), e.body(), Map.of());
        assertThat(r.status()).as("%s %s with %s", e.method(), e.path(), token).isEqualTo(401);
        assertThat(r.json().get("code").asInt()).isEqualTo(401);
      }
      for (int rank = 0; rank < ranked.size(); rank++) {
        Response r = api(ranked.get(rank)).send(e.method(), e.path(), e.body(), Map.of());
        int expected = rank >= e.rank() ? e.allowedStatus() : 403;
        assertThat(r.status())
            .as("%s %s as rank %d: %s", e.method(), e.path(), rank, r)
            .isEqualTo(expected);
      }
    }
    assertThat(admin().get("/api/v1/jobs/absent").status()).isEqualTo(404);
  }

  private static String tempDir() {
    try {
      return Files.createTempDirectory("zks-validation-it").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
