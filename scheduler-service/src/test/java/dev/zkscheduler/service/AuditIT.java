package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.service.audit.AuditLog;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who created and who changed each job, as the API answers it, and the audit log's one line per
 * state-changing call (refusals included), on a real node with one token per role and a second
 * admin token.
 */
class AuditIT {

  private static final String RELEASE_BOT = "release-bot-token-0000000";

  @TempDir Path dir;

  private TestService node;
  private final AuditLines audit = new AuditLines();

  @BeforeEach
  void start() throws Exception {
    node =
        TestService.embedded(
                "audit-it",
                dir.resolve("zk"),
                TestService.freePort(),
                Map.of(
                    "auth.tokens",
                    "[{name: test-admin, token: "
                        + TestService.ADMIN
                        + ", role: admin}, {name: release-bot, token: "
                        + RELEASE_BOT
                        + ", role: admin}, {name: test-operator, token: "
                        + TestService.OPERATOR
                        + ", role: operator}, {name: test-viewer, token: "
                        + TestService.VIEWER
                        + ", role: viewer}]"))
            .start();
    audit.attach();
  }

  @AfterEach
  void stop() {
    audit.detach();
    if (node != null) {
      node.close();
    }
  }

  private static String job(String description) {
    return "{\"id\":\"nightly\",\"description\":\""
        + description
        + "\",\"schedule\":{\"cron\":\"0 * * * *\",\"timeZone\":\"UTC\"},"
        + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}";
  }

  private static Instant at(JsonNode job, String field) {
    return Instant.parse(job.get(field).asText());
  }

  @Test
  void theCreatorIsKeptAndEachChangeNamesItsCaller() {
    ApiClient admin = node.api(TestService.ADMIN);
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    JsonNode created = admin.post("/api/v1/jobs", job("v1")).json();
    assertThat(created.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(created.get("updatedBy").asText()).isEqualTo("test-admin");
    assertThat(at(created, "createdAt")).isAfterOrEqualTo(before);
    assertThat(created.get("updatedAt")).isEqualTo(created.get("createdAt"));

    ApiClient.Response replaced =
        admin.as(RELEASE_BOT).put("/api/v1/jobs/nightly", job("v2"), Map.of("If-Match", "\"0\""));
    assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    JsonNode changed = replaced.json();
    assertThat(changed.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(changed.get("createdAt")).isEqualTo(created.get("createdAt"));
    assertThat(changed.get("updatedBy").asText()).isEqualTo("release-bot");
    assertThat(at(changed, "updatedAt")).isAfterOrEqualTo(at(created, "createdAt"));

    JsonNode paused =
        admin.as(TestService.OPERATOR).post("/api/v1/jobs/nightly/pause", null).json();
    assertThat(paused.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(paused.get("updatedBy").asText()).isEqualTo("test-operator");

    JsonNode read = admin.as(TestService.VIEWER).get("/api/v1/jobs/nightly").json();
    assertThat(read.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(read.get("createdAt")).isEqualTo(created.get("createdAt"));
    assertThat(read.get("updatedBy").asText()).isEqualTo("test-operator");
    assertThat(read.get("updatedAt")).isEqualTo(paused.get("updatedAt"));
    JsonNode listed = admin.get("/api/v1/jobs").json().get("jobs").get(0);
    assertThat(listed.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(listed.get("updatedBy").asText()).isEqualTo("test-operator");
  }

  @Test
  void whatAClientSaysAboutWhoWroteAJobIsIgnored() {
    ApiClient admin = node.api(TestService.ADMIN);
    ObjectNode forged = (ObjectNode) json(job("v1"));
    forged.put("createdBy", "mallory").put("createdAt", "2001-01-01T00:00:00Z");
    forged.put("updatedBy", "mallory").put("updatedAt", "2001-01-01T00:00:00Z");

    JsonNode created = admin.post("/api/v1/jobs", forged.toString()).json();
    assertThat(created.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(created.get("createdAt").asText()).isNotEqualTo("2001-01-01T00:00:00Z");

    JsonNode replaced =
        admin.as(RELEASE_BOT).put("/api/v1/jobs/nightly", forged.toString(), Map.of()).json();
    assertThat(replaced.get("createdBy").asText()).isEqualTo("test-admin");
    assertThat(replaced.get("createdAt")).isEqualTo(created.get("createdAt"));
    assertThat(replaced.get("updatedBy").asText()).isEqualTo("release-bot");

    // A job as read back, audit and status included, is no change to the job.
    JsonNode readBack = admin.get("/api/v1/jobs/nightly").json();
    JsonNode diff = admin.post("/api/v1/jobs/nightly/diff", readBack.toString()).json();
    assertThat(diff.get("action").asText()).as(diff.toString()).isEqualTo("SAME");
  }

  @Test
  void everyStateChangingCallIsOneAuditLineRefusalsIncluded() {
    ApiClient admin = node.api(TestService.ADMIN);
    ApiClient operator = admin.as(TestService.OPERATOR);

    assertThat(admin.post("/api/v1/jobs", job("v1")).status()).isEqualTo(201);
    audit.expect(
        "action=create job=nightly by=test-admin role=admin version=0 outcome=ok status=201");

    assertThat(admin.put("/api/v1/jobs/nightly", job("v2"), Map.of("If-Match", "\"0\"")).status())
        .isEqualTo(200);
    audit.expect(
        "action=update job=nightly by=test-admin role=admin version=1 outcome=ok status=200");

    ApiClient.Response stale =
        admin.as(RELEASE_BOT).put("/api/v1/jobs/nightly", job("v3"), Map.of("If-Match", "\"0\""));
    assertThat(stale.status()).isEqualTo(412);
    audit.expect(
        "action=update job=nightly by=release-bot role=admin outcome=refused"
            + " reason=if-match-failed status=412");

    assertThat(admin.post("/api/v1/jobs", "{\"id\":\"Bad Id\",\"tasks\":[]}").status())
        .isEqualTo(422);
    audit.expect(
        "action=create job=- by=test-admin role=admin outcome=refused reason=invalid status=422");

    assertThat(admin.as(TestService.VIEWER).post("/api/v1/jobs/nightly/pause", null).status())
        .isEqualTo(403);
    audit.expect(
        "action=pause job=nightly by=test-viewer role=viewer outcome=refused reason=forbidden"
            + " status=403");

    assertThat(admin.as("not-a-token-of-this-service").delete("/api/v1/jobs/nightly").status())
        .isEqualTo(401);
    audit.expect(
        "action=delete job=nightly by=- role=- outcome=refused reason=unauthenticated status=401");

    assertThat(operator.post("/api/v1/jobs/nightly/pause", null).status()).isEqualTo(200);
    audit.expect(
        "action=pause job=nightly by=test-operator role=operator version=2 outcome=ok status=200");
    assertThat(operator.post("/api/v1/jobs/nightly/resume", null).status()).isEqualTo(200);
    audit.expect(
        "action=resume job=nightly by=test-operator role=operator version=3 outcome=ok status=200");

    String runId = operator.post("/api/v1/jobs/nightly/trigger", null).json().get("runId").asText();
    audit.expect(
        "action=trigger job=nightly run="
            + runId
            + " by=test-operator role=operator outcome=ok status=202");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> operator.get("/api/v1/jobs/nightly/runs/" + runId).status() == 200);
    assertThat(operator.post("/api/v1/jobs/nightly/runs/" + runId + "/cancel", null).status())
        .isEqualTo(202);
    audit.expect(
        "action=cancel job=nightly run="
            + runId
            + " by=test-operator role=operator outcome=ok status=202");

    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
    String range =
        "{\"from\":\""
            + hour.minus(Duration.ofHours(3))
            + "\",\"to\":\""
            + hour.minus(Duration.ofHours(1))
            + "\"}";
    JsonNode backfilled = operator.post("/api/v1/jobs/nightly/backfill", range).json();
    assertThat(backfilled.get("runIds")).hasSize(2);
    audit.expect(
        "action=backfill job=nightly runs=2 firstRun="
            + backfilled.get("runIds").get(0).asText()
            + " lastRun="
            + backfilled.get("runIds").get(1).asText()
            + " by=test-operator role=operator outcome=ok status=202");

    assertThat(admin.delete("/api/v1/jobs/nightly").status()).isEqualTo(204);
    audit.expect("action=delete job=nightly by=test-admin role=admin outcome=ok status=204");

    // Reads and the diff change nothing and are not audited.
    admin.get("/api/v1/jobs");
    admin.post("/api/v1/jobs/nightly/diff", job("v4"));
    assertThat(audit.lines())
        .as("one line per call, in order")
        .extracting(line -> line.split(" ")[1])
        .containsExactly(
            "action=create",
            "action=update",
            "action=update",
            "action=create",
            "action=pause",
            "action=delete",
            "action=pause",
            "action=resume",
            "action=trigger",
            "action=cancel",
            "action=backfill",
            "action=delete");
  }

  @Test
  void aCraftedIdCannotForgeFields() {
    ApiClient viewer = node.api(TestService.VIEWER);

    assertThat(viewer.delete("/api/v1/jobs/x%22%20by=test-admin%20outcome=ok").status())
        .isEqualTo(403);

    audit.expect(
        "action=delete job=\"x\\\" by=test-admin outcome=ok\" by=test-viewer role=viewer"
            + " outcome=refused reason=forbidden status=403");
  }

  private static JsonNode json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The lines of the audit logger, as formatted, while attached. */
  private static final class AuditLines extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    void attach() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      setContext(context);
      start();
      context.getLogger(AuditLog.LOGGER).addAppender(this);
    }

    void detach() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      Logger logger = context.getLogger(AuditLog.LOGGER);
      logger.detachAppender(this);
      stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
      lines.add(event.getFormattedMessage());
    }

    List<String> lines() {
      return List.copyOf(lines);
    }

    /** The last line is "audit " + {@code fields}: written by the time its answer arrives. */
    void expect(String fields) {
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(lines).isNotEmpty().last().isEqualTo("audit " + fields));
    }
  }
}
