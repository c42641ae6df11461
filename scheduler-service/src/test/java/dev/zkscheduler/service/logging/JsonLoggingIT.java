package dev.zkscheduler.service.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON switch of docs/configuration.md: with Dropwizard's json layout every log line is one
 * JSON object, and the lines about a task attempt — its handler's, its worker's, the leader's that
 * records its outcome — carry its job, run, task, attempt and member ids as fields.
 */
class JsonLoggingIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private TestService node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.stop();
    }
  }

  @Test
  void everyLineIsAJsonObjectAndAttemptsCarryTheirIds() throws Exception {
    Path log = dir.resolve("service.json");
    node =
        TestService.embedded(
                "json-it",
                dir.resolve("zk"),
                TestService.freePort(),
                Map.of(
                    "logging.appenders",
                    "[{type: file, currentLogFilename: '"
                        + log
                        + "', archive: false, layout: {type: json, flattenMdc: true}}]",
                    "logging.loggers",
                    "{dev.zkscheduler: INFO, dev.zkscheduler.service.metrics: DEBUG,"
                        + " dev.zkscheduler.engine.Worker: DEBUG,"
                        + " dev.zkscheduler.engine.TaskAttempts: DEBUG,"
                        + " org.apache.zookeeper: ERROR, org.apache.curator: ERROR}"))
            .start();
    ApiClient api = node.api(TestService.ADMIN);
    assertThat(
            api.post(
                    "/api/v1/jobs",
                    "{\"id\":\"logged\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}")
                .status())
        .isEqualTo(201);
    String runId = api.post("/api/v1/jobs/logged/trigger", null).json().get("runId").asText();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(lines(log))
                    .anySatisfy(
                        line -> {
                          assertThat(line.path("logger").asText())
                              .contains("InstrumentedTaskHandler");
                          assertThat(line.path("jobId").asText()).isEqualTo("logged");
                          assertThat(line.path("runId").asText()).isEqualTo(runId);
                          assertThat(line.path("taskId").asText()).isEqualTo("t");
                          assertThat(line.path("memberId").asText()).isEqualTo("json-it");
                          assertThat(line.path("message").asText()).contains("succeeded");
                        }));
    // The scheduler's own lines about the attempt: the worker starting it, the leader recording
    // its outcome (each on a thread of its own).
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<JsonNode> lines = lines(log);
              for (String logger : List.of("engine.Worker", "engine.TaskAttempts")) {
                assertThat(lines)
                    .as(logger)
                    .anySatisfy(
                        line -> {
                          assertThat(line.path("logger").asText()).endsWith(logger);
                          assertThat(line.path("jobId").asText()).isEqualTo("logged");
                          assertThat(line.path("runId").asText()).isEqualTo(runId);
                          assertThat(line.path("taskId").asText()).isEqualTo("t");
                          assertThat(line.path("attempt").asText()).isEqualTo("1");
                          assertThat(line.path("memberId").asText()).isEqualTo("json-it");
                        });
              }
            });
    Response run = api.get("/api/v1/jobs/logged/runs/" + runId);
    assertThat(run.json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(lines(log))
        .anySatisfy(
            line -> {
              assertThat(line.path("level").asText()).isEqualTo("INFO");
              assertThat(line.path("message").asText())
                  .contains("zk-scheduler")
                  .contains("json-it");
              assertThat(line.has("timestamp")).isTrue();
            });
  }

  /** Every line of the file as JSON: a line that is not one JSON object fails the test. */
  private static List<JsonNode> lines(Path log) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(log)) {
      return lines;
    }
    for (String text : Files.readAllLines(log)) {
      if (text.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(text);
      assertThat(node.isObject()).as(text).isTrue();
      lines.add(node);
    }
    return lines;
  }
}
