package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs, their anchors and their runs survive a restart of the service and its embedded server. */
class RestartIT {

  private TestService node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void restartKeepsJobsAnchorsAndRuns() throws Exception {
    Path data = Files.createTempDirectory("zks-restart-it");
    int zkPort = TestService.freePort();
    node = TestService.embedded("restart-it", data, zkPort).start();
    ApiClient api = node.api(TestService.ADMIN);
    String body =
        "{\"id\":\"tick\",\"schedule\":{\"interval\":\"PT1S\",\"startAt\":\"2026-01-01T00:00:00.250Z\"},"
            + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}],\"misfirePolicy\":\"SKIP\"}";
    assertThat(api.post("/api/v1/jobs", body).status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(15)).until(() -> scheduledRuns(api).size() >= 2);
    JsonNode before = api.get("/api/v1/jobs/tick").json();
    String etag = api.get("/api/v1/jobs/tick").header("ETag");
    List<JsonNode> runsBefore = scheduledRuns(api);

    node.stop();
    node = TestService.embedded("restart-it", data, zkPort).start();
    ApiClient again = node.api(TestService.ADMIN);

    JsonNode after = again.get("/api/v1/jobs/tick").json();
    assertThat(after.get("schedule")).isEqualTo(before.get("schedule"));
    assertThat(again.get("/api/v1/jobs/tick").header("ETag")).isEqualTo(etag);
    String lastIdBefore = runsBefore.get(0).get("id").asText();
    assertThat(again.get("/api/v1/jobs/tick/runs/" + lastIdBefore).status()).isEqualTo(200);

    // Fires resume on the persisted grid (…:ss.250), not on the restart instant.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                scheduledRuns(again).stream()
                    .anyMatch(
                        r ->
                            Instant.parse(r.get("nominalTime").asText())
                                .isAfter(
                                    Instant.parse(runsBefore.get(0).get("nominalTime").asText())
                                        .plusSeconds(1))));
    for (JsonNode run : scheduledRuns(again)) {
      Instant nominal = Instant.parse(run.get("nominalTime").asText());
      assertThat(nominal.toEpochMilli() % 1000).as(run.toString()).isEqualTo(250);
    }
  }

  private static List<JsonNode> scheduledRuns(ApiClient api) {
    List<JsonNode> runs = new ArrayList<>();
    api.get("/api/v1/jobs/tick/runs?limit=100")
        .json()
        .get("runs")
        .forEach(
            r -> {
              if (r.get("trigger").asText().equals("SCHEDULE")) {
                runs.add(r);
              }
            });
    return runs;
  }
}
