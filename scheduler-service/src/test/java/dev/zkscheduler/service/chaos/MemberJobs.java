package dev.zkscheduler.service.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import java.time.Duration;

/** The one-task jobs of the member-loss tests, and waiting for their runs to end. */
final class MemberJobs {

  private MemberJobs() {}

  /**
   * A job with one {@code http} task calling {@code target}, fired only when triggered (its cron
   * falls on New Year), with {@code maxAttempts} attempts.
   */
  static String json(String id, CallRecorder target, int maxAttempts) {
    return "{\"id\":\""
        + id
        + "\",\"schedule\":{\"cron\":\"0 0 0 1 1 ?\",\"timeZone\":\"UTC\"},"
        + "\"tasks\":[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\""
        + target.url()
        + "\"}}],\"timeout\":\"PT60S\",\"retry\":{\"maxAttempts\":"
        + maxAttempts
        + ",\"initialDelay\":\"PT0.2S\"}}";
  }

  /** The run once it is terminal, read through {@code api}. */
  static JsonNode awaitTerminal(ApiClient api, String job, String run, Duration within) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              ApiClient.Response r = api.get("/api/v1/jobs/" + job + "/runs/" + run);
              if (r.status() != 200) {
                return false;
              }
              last[0] = r.json();
              String state = last[0].get("state").asText();
              return !state.equals("PENDING") && !state.equals("RUNNING");
            });
    return last[0];
  }
}
