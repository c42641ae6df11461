package dev.zkscheduler.service.chaos;

import dev.zkscheduler.service.support.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The suite's jobs: 30 jobs every second, 10 every two seconds, 6 Quartz crons with seconds (every
 * three seconds), 4 DAGs of 3–5 tasks and 4 jobs whose first attempts fail and are retried — 54 in
 * all, every task an {@code http} call to the ledger. All use {@code CATCH_UP} (limit 1000) and
 * {@code ALLOW}, so that every nominal instant must be run exactly once however long an outage
 * lasts, and 3 attempts, so that an attempt lost with a dead leader is re-offered (with one
 * attempt, such a run ends FAILED by design and never reaches the ledger): "missed" and
 * "duplicated" are then exact counts.
 */
final class Workload {

  /** A job and what the verdict expects of it. */
  record Job(
      String id,
      Duration interval,
      boolean cron,
      String rootTask,
      Map<String, List<String>> upstreams,
      String json) {}

  private final List<Job> jobs = new ArrayList<>();
  private Instant createdAt;
  private Instant anchor;

  Workload(ChaosLedger ledger, Instant anchor) {
    this.anchor = anchor;
    String common =
        "\"misfirePolicy\":\"CATCH_UP\",\"catchUpLimit\":1000,\"concurrencyPolicy\":\"ALLOW\","
            + "\"timeout\":\"PT30S\",\"retry\":{\"maxAttempts\":3,\"initialDelay\":\"PT0.2S\"}";
    for (int i = 0; i < 30; i++) {
      add(
          interval("every1s-" + i, "PT1S", ledger, common),
          Duration.ofSeconds(1),
          false,
          "call",
          Map.of());
    }
    for (int i = 0; i < 10; i++) {
      add(
          interval("every2s-" + i, "PT2S", ledger, common),
          Duration.ofSeconds(2),
          false,
          "call",
          Map.of());
    }
    for (int i = 0; i < 6; i++) {
      String id = "cron3s-" + i;
      String json =
          "{\"id\":\""
              + id
              + "\",\"schedule\":{\"cron\":\"*/3 * * * * ?\",\"timeZone\":\"UTC\"},"
              + "\"tasks\":[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\""
              + ledger.url("/ok")
              + "\"}}],"
              + common
              + "}";
      add(json, Duration.ofSeconds(3), true, "call", Map.of());
    }
    for (int i = 0; i < 4; i++) {
      String id = "dag-" + i;
      boolean diamond = i % 2 == 0;
      Map<String, List<String>> up =
          diamond
              ? Map.of(
                  "b", List.of("a"), "c", List.of("a"), "d", List.of("b", "c"), "e", List.of("d"))
              : Map.of("b", List.of("a"), "c", List.of("b"));
      StringBuilder tasks = new StringBuilder();
      for (String task : diamond ? List.of("a", "b", "c", "d", "e") : List.of("a", "b", "c")) {
        if (tasks.length() > 0) {
          tasks.append(',');
        }
        List<String> deps = up.getOrDefault(task, List.of());
        tasks
            .append("{\"id\":\"")
            .append(task)
            .append("\",\"type\":\"http\",\"config\":{\"url\":\"")
            .append(ledger.url("/ok"))
            .append("\"},\"dependsOn\":[");
        for (int d = 0; d < deps.size(); d++) {
          tasks.append(d == 0 ? "" : ",").append('"').append(deps.get(d)).append('"');
        }
        tasks.append("]}");
      }
      String json =
          "{\"id\":\""
              + id
              + "\",\"schedule\":{\"interval\":\"PT2S\",\"startAt\":\""
              + anchor
              + "\"},\"tasks\":["
              + tasks
              + "],"
              + common
              + "}";
      add(json, Duration.ofSeconds(2), false, "a", up);
    }
    for (int i = 0; i < 4; i++) {
      String id = "flaky-" + i;
      String json =
          "{\"id\":\""
              + id
              + "\",\"schedule\":{\"interval\":\"PT2S\",\"startAt\":\""
              + anchor
              + "\"},\"tasks\":[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\""
              + ledger.url("/flaky")
              + "\"}}],"
              + common
              + "}";
      add(json, Duration.ofSeconds(2), false, "call", Map.of());
    }
  }

  private String interval(String id, String every, ChaosLedger ledger, String common) {
    return "{\"id\":\""
        + id
        + "\",\"schedule\":{\"interval\":\""
        + every
        + "\",\"startAt\":\""
        + anchor
        + "\"},\"tasks\":[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\""
        + ledger.url("/ok")
        + "\"}}],"
        + common
        + "}";
  }

  private void add(
      String json, Duration interval, boolean cron, String root, Map<String, List<String>> up) {
    String id =
        json.substring(
            json.indexOf("\"id\":\"") + 6, json.indexOf('"', json.indexOf("\"id\":\"") + 6));
    jobs.add(new Job(id, interval, cron, root, up, json));
  }

  /** Creates every job through {@code api}; fails on any status but 201. */
  void create(ApiClient api) {
    create(api, Instant.now());
  }

  /**
   * As {@link #create(ApiClient)}, recording {@code at} as the creation instant; null api: none.
   */
  void create(ApiClient api, Instant at) {
    createdAt = at;
    if (api == null) {
      return;
    }
    for (Job job : jobs) {
      ApiClient.Response r = api.post("/api/v1/jobs", job.json());
      if (r.status() != 201) {
        throw new IllegalStateException("creating " + job.id() + ": " + r);
      }
    }
  }

  List<Job> jobs() {
    return jobs;
  }

  Instant anchor() {
    return anchor;
  }

  Instant createdAt() {
    return createdAt;
  }

  /** The nominal instants of {@code job} in [from, to]. */
  List<Instant> expectedFires(Job job, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    if (job.cron()) {
      // */3 in UTC: every epoch second divisible by 3.
      long s = from.getEpochSecond() + (from.getNano() > 0 ? 1 : 0);
      s = s + Math.floorMod(-s, 3);
      for (; !Instant.ofEpochSecond(s).isAfter(to); s += 3) {
        out.add(Instant.ofEpochSecond(s));
      }
      return out;
    }
    long step = job.interval().toMillis();
    long k =
        Math.max(0, Math.floorDiv(from.toEpochMilli() - anchor.toEpochMilli() + step - 1, step));
    for (Instant t = anchor.plusMillis(k * step); !t.isAfter(to); t = t.plusMillis(step)) {
      out.add(t);
    }
    return out;
  }
}
