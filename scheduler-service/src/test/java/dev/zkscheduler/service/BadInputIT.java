package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.TestService;
import dev.zkscheduler.testing.ZkClients;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input at scale (issue 7): 10,000 generated calls — malformed, oversized, adversarial and
 * random-but-valid job definitions and API calls — against a running node. No call may answer 5xx,
 * ZooKeeper must hold exactly the jobs that were accepted, and the node must stay healthy.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class BadInputIT {

  private static final int CASES = Integer.getInteger("badinput.cases", 10_000);
  private static final int ZK_PORT = TestService.freePort();

  static final DropwizardAppExtension<SchedulerConfiguration> APP =
      new DropwizardAppExtension<>(
          SchedulerApplication.class,
          ResourceHelpers.resourceFilePath("test-service.yml"),
          ConfigOverride.config("zookeeper.embedded.dataDir", tempDir()),
          ConfigOverride.config("zookeeper.embedded.port", Integer.toString(ZK_PORT)),
          ConfigOverride.config("scheduler.instanceId", "bad-input-it"));

  private static final List<String> BAD_IDS =
      List.of(
          "",
          "A",
          "..",
          "../leader",
          "a/b",
          "a b",
          "-a",
          ".a",
          "a".repeat(129),
          "ü",
          "a\u0000b",
          "zookeeper",
          "%2F",
          "a\nb",
          "$(rm -rf)",
          "null");
  private static final List<String> BAD_DURATIONS =
      List.of("-PT1S", "PT0S", "P100000000D", "1h", "", "PT", "PT-0.5S", "P1Y");
  private static final List<String> BAD_CRONS =
      List.of(
          "",
          "* * *",
          "61 * * * *",
          "0 0 30 2 *",
          "*/0 * * * *",
          "0 0 * * 8",
          "0 0 ? * * *",
          "x y z w v",
          "0 0 1 1 * 1999",
          "* * * * * * * *",
          "L L L L L");
  private static final List<String> JUNK_VALUES =
      List.of(
          "null",
          "0",
          "-1",
          "1e309",
          "\"\"",
          "[]",
          "{}",
          "true",
          "\"" + "x".repeat(5000) + "\"",
          "[[[[[]]]]]",
          "\"\\u0000\"",
          "9223372036854775808",
          "\"PT1S\"",
          "\"2026-13-45T99:99:99Z\"");
  private static final List<String> TYPES = List.of("noop", "http", "shell", "ftp", "", "NOOP");

  private final Random random = new Random(Long.getLong("badinput.seed", 20261125L));
  private final Set<String> accepted = new HashSet<>();
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private int serial;

  private static ApiClient api() {
    return new ApiClient("http://127.0.0.1:" + APP.getLocalPort(), TestService.ADMIN);
  }

  /**
   * Encoded path segments that Jetty itself refuses before the API sees them (ambiguous segments,
   * separators, NUL, overlong UTF-8) are answered like every other error: a JSON error document
   * whose code is the status, never an empty body or HTML, never 5xx.
   */
  @Test
  void everyEncodedPathSegmentIsAnsweredWithAJsonError() {
    List<String> segments =
        List.of(
            "%2E%2E",
            "%2e",
            "a%2Fb",
            "..%2F..%2Fleader",
            "%2F",
            "%00",
            "a%00b",
            "%C0%AE%C0%AE",
            "%C0%AF",
            "%FF",
            "a%5Cb",
            "%252F",
            "%E2%82",
            "%");
    List<String> failures = new ArrayList<>();
    for (String segment : segments) {
      for (String[] call :
          List.of(
              new String[] {"GET", "/api/v1/jobs/" + segment},
              new String[] {"PUT", "/api/v1/jobs/" + segment},
              new String[] {"DELETE", "/api/v1/jobs/" + segment},
              new String[] {"POST", "/api/v1/jobs/" + segment + "/trigger"},
              new String[] {"GET", "/api/v1/jobs/j/runs/" + segment})) {
        String body = call[0].equals("PUT") ? validJob() : null;
        Response r;
        try {
          r = api().send(call[0], call[1], body, Map.of());
        } catch (IllegalArgumentException notSendable) {
          continue; // the client refuses to send it at all (an illegal URI): nothing to answer
        }
        String what = call[0] + " " + call[1] + " -> " + r.status() + " " + r.body();
        if (r.status() >= 500 || r.status() < 400) {
          failures.add("status: " + what);
        } else if (r.json() == null
            || r.json().path("code").asInt() != r.status()
            || r.json().path("message").asText().isEmpty()) {
          failures.add("not a JSON error document: " + what);
        } else if (r.header("Content-Type") == null
            || !r.header("Content-Type").startsWith("application/json")) {
          failures.add("content type: " + what + " " + r.header("Content-Type"));
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void tenThousandBadAndValidCallsNeverAnswer5xxAndWriteExactlyTheAcceptedJobs() throws Exception {
    for (int i = 0; i < CASES; i++) {
      int kind = random.nextInt(100);
      if (kind < 45) {
        createJob(mutate(validJob()));
      } else if (kind < 55) {
        createJob(validJob());
      } else if (kind < 62) {
        rawBody();
      } else if (kind < 90) {
        randomCall();
      } else {
        deleteSomething();
      }
    }
    System.out.printf(
        "bad input: %d cases, statuses %s, %d jobs accepted%n", CASES, statuses, accepted.size());
    assertThat(statuses.keySet()).as("statuses %s", statuses).allMatch(s -> s > 0 && s < 500);
    assertThat(accepted).as("some generated jobs are valid").isNotEmpty();
    assertThat(statuses.getOrDefault(422, 0)).isGreaterThan(CASES / 10);

    // ZooKeeper holds exactly the accepted jobs: listed through the API and read directly.
    Set<String> listed = new HashSet<>();
    String after = null;
    do {
      JsonNode page =
          api().get("/api/v1/jobs?limit=1000" + (after == null ? "" : "&after=" + after)).json();
      page.get("jobs").forEach(j -> listed.add(j.get("id").asText()));
      after = page.get("next").isNull() ? null : page.get("next").asText();
    } while (after != null);
    assertThat(listed).isEqualTo(accepted);
    try (CuratorFramework zk = ZkClients.started("127.0.0.1:" + ZK_PORT, "zk-scheduler")) {
      Set<String> znodes = new HashSet<>();
      for (String bucket : zk.getChildren().forPath("/jobs")) {
        znodes.addAll(zk.getChildren().forPath("/jobs/" + bucket));
      }
      assertThat(znodes).isEqualTo(accepted);
    }
    Response health =
        new ApiClient("http://127.0.0.1:" + APP.getAdminPort(), null).get("/healthcheck");
    assertThat(health.status()).as(health.body()).isEqualTo(200);
  }

  // ---- generators ----

  private String validJob() {
    String id = "j" + (serial++) + "-" + Integer.toString(random.nextInt(1 << 20), 36);
    StringBuilder json = new StringBuilder("{\"id\":\"").append(id).append('"');
    switch (random.nextInt(4)) {
      case 0 ->
          json.append(",\"schedule\":{\"cron\":\"0 3 1 1 *\",\"timeZone\":\"")
              .append(random.nextBoolean() ? "Pacific/Chatham" : "America/Sao_Paulo")
              .append("\"}");
      case 1 ->
          json.append(",\"schedule\":{\"interval\":\"PT")
              .append(1 + random.nextInt(10_000))
              .append("H\"}");
      case 2 -> json.append(",\"schedule\":{\"at\":\"2099-01-01T00:00:00Z\"}");
      default -> {}
    }
    int tasks = 1 + random.nextInt(5);
    json.append(",\"tasks\":[");
    for (int t = 0; t < tasks; t++) {
      json.append(t == 0 ? "" : ",").append("{\"id\":\"t").append(t).append("\",\"type\":\"");
      if (random.nextBoolean()) {
        json.append("http\",\"config\":{\"url\":\"http://127.0.0.1:9/x\",\"method\":\"PUT\"}");
      } else {
        json.append("noop\"");
      }
      if (t > 0) {
        json.append(",\"dependsOn\":[\"t").append(random.nextInt(t)).append("\"]");
      }
      json.append('}');
    }
    json.append("],\"paused\":").append(random.nextBoolean());
    if (random.nextBoolean()) {
      json.append(",\"retry\":{\"maxAttempts\":")
          .append(1 + random.nextInt(5))
          .append(",\"initialDelay\":\"PT2S\",\"jitter\":0.2}");
    }
    return json.append('}').toString();
  }

  private String mutate(String job) {
    String out = job;
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      switch (random.nextInt(10)) {
        case 0 -> out = sub(out, "\"id\":\"[^\"]*\"", "\"id\":" + quote(pick(BAD_IDS)));
        case 1 ->
            out =
                out.replaceFirst(
                    "\"interval\":\"[^\"]*\"", "\"interval\":" + quote(pick(BAD_DURATIONS)));
        case 2 -> out = sub(out, "\"cron\":\"[^\"]*\"", "\"cron\":" + quote(pick(BAD_CRONS)));
        case 3 -> out = sub(out, "\"type\":\"[^\"]*\"", "\"type\":" + quote(pick(TYPES)));
        case 4 -> out = sub(out, "\"paused\":(true|false)", "\"paused\":" + pick(JUNK_VALUES));
        case 5 ->
            out =
                out.replaceFirst(
                    "\"dependsOn\":\\[\"t\\d\"]", "\"dependsOn\":[\"t" + random.nextInt(6) + "\"]");
        case 6 -> out = sub(out, "\"tasks\":\\[", "\"tasks\":" + pick(JUNK_VALUES) + ",\"x\":[");
        case 7 ->
            out =
                out.substring(0, out.length() - 1)
                    + ",\"timeout\":"
                    + quote(pick(BAD_DURATIONS))
                    + "}";
        case 8 ->
            out =
                out.substring(0, out.length() - 1)
                    + ",\"misfirePolicy\":"
                    + pick(JUNK_VALUES)
                    + "}";
        default ->
            out =
                out.replaceFirst(
                    "\"timeZone\":\"[^\"]*\"",
                    "\"timeZone\":"
                        + quote(
                            pick(
                                List.of(
                                    "Mars/Base", "UTC+1", "+02:00", "", "EST5EDT", "Etc/GMT+99"))));
      }
    }
    return out;
  }

  private void createJob(String json) {
    Response r;
    if (random.nextInt(4) == 0) {
      String id = extractId(json);
      String path = "/api/v1/jobs/" + (id == null || id.isEmpty() ? "x" : encode(id));
      r = call("PUT", path, json);
    } else {
      r = call("POST", "/api/v1/jobs", json);
    }
    if (r == null) {
      return;
    }
    record(r);
    if (r.status() == 200 || r.status() == 201) {
      accepted.add(r.json().get("id").asText());
    }
  }

  private void rawBody() {
    byte[] body;
    switch (random.nextInt(5)) {
      case 0 -> {
        body = new byte[random.nextInt(2000)];
        random.nextBytes(body);
      }
      case 1 -> {
        String valid = validJob();
        body = valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
      }
      case 2 -> body = ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
      case 3 ->
          body =
              ("{\"id\":\"big\",\"description\":\"" + "y".repeat(70_000) + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
      default -> body = pick(JUNK_VALUES).getBytes(StandardCharsets.UTF_8);
    }
    String method = random.nextBoolean() ? "POST" : "PUT";
    String path = random.nextBoolean() ? "/api/v1/jobs" : "/api/v1/jobs/raw";
    try {
      record(api().sendBytes(method, path, body, Map.of()));
    } catch (UncheckedIOException e) {
      statuses.merge(0, 1, Integer::sum);
      System.out.println(
          "no answer: "
              + method
              + " "
              + path
              + " (raw body): "
              + e.getMessage()
              + "; previous: "
              + previous);
    }
  }

  private void randomCall() {
    String id =
        !accepted.isEmpty() && random.nextBoolean()
            ? accepted.iterator().next()
            : encode(pick(BAD_IDS));
    String path =
        switch (random.nextInt(9)) {
          case 0 -> "/api/v1/jobs/" + id;
          case 1 ->
              "/api/v1/jobs/"
                  + id
                  + "/runs?limit="
                  + pick(List.of("0", "-1", "abc", "1001", "5", ""));
          case 2 ->
              "/api/v1/jobs/"
                  + id
                  + "/preview?count="
                  + pick(List.of("0", "5", "100000", "x"))
                  + "&from="
                  + pick(List.of("now", "2026-01-01T00:00:00Z", "", "-1"));
          case 3 -> "/api/v1/jobs/" + id + "/trigger";
          case 4 -> "/api/v1/jobs/" + id + "/backfill";
          case 5 -> "/api/v1/jobs/" + id + "/runs/" + encode(pick(BAD_IDS)) + "/cancel";
          case 6 -> "/api/v1/jobs/" + id + "/" + pick(List.of("pause", "resume"));
          case 7 ->
              "/api/v1/jobs?limit="
                  + pick(List.of("0", "abc", "100", "-5"))
                  + "&after="
                  + encode(pick(BAD_IDS));
          default ->
              "/api/v1/"
                  + pick(List.of("cluster", "jobs/..%2F..%2Fleader", "nothing", "jobs/%2e%2e"));
        };
    String method = pick(List.of("GET", "POST", "PUT", "DELETE", "PATCH"));
    String body =
        method.equals("GET") || method.equals("DELETE")
            ? null
            : pick(
                List.of(
                    "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}",
                    "{\"from\":\"x\"}",
                    "{}",
                    "[]",
                    "{\"to\":\"2026-01-01T00:00:00Z\",\"from\":\"2099-01-01T00:00:00Z\"}"));
    Response r = call(method, path, body);
    if (r == null) {
      return;
    }
    record(r);
    if (method.equals("DELETE") && r.status() == 204) {
      accepted.remove(decodeId(path));
    }
  }

  private void deleteSomething() {
    if (accepted.isEmpty()) {
      return;
    }
    String id = accepted.iterator().next();
    Response r = api().delete("/api/v1/jobs/" + id);
    record(r);
    if (r.status() == 204) {
      accepted.remove(id);
    }
  }

  /** Sends a call; a connection closed without an answer is recorded as status 0. */
  private Response call(String method, String path, String body) {
    try {
      return api().send(method, path, body, Map.of());
    } catch (UncheckedIOException e) {
      statuses.merge(0, 1, Integer::sum);
      System.out.println(
          "no answer: " + method + " " + path + ": " + e.getMessage() + "; previous: " + previous);
      return null;
    }
  }

  private String previous = "";

  private void record(Response r) {
    previous = r.toString().substring(0, Math.min(300, r.toString().length()));
    statuses.merge(r.status(), 1, Integer::sum);
    if (r.status() >= 500) {
      System.out.println("5xx: " + r);
    }
  }

  private static String sub(String text, String regex, String replacement) {
    return text.replaceFirst(regex, java.util.regex.Matcher.quoteReplacement(replacement));
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String quote(String s) {
    return "\""
        + s.replace("\\", "\\\\")
            .replace("\"", "\\\"")
            .replace("\n", "\\n")
            .replace("\u0000", "\\u0000")
        + "\"";
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String extractId(String json) {
    int i = json.indexOf("\"id\":\"");
    return i < 0 ? null : json.substring(i + 6, json.indexOf('"', i + 6));
  }

  private static String decodeId(String path) {
    String rest = path.substring("/api/v1/jobs/".length());
    int q = rest.indexOf('?');
    rest = q < 0 ? rest : rest.substring(0, q);
    return java.net.URLDecoder.decode(rest, StandardCharsets.UTF_8);
  }

  private static String tempDir() {
    try {
      return Files.createTempDirectory("zks-bad-input-it").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
