package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.Ledger;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DAG job edited over and over while its runs are active, on a running service next to 50 jobs
 * firing every second: every active run ends on the DAG it started with, the next runs use the new
 * one, and the other jobs miss no fire meanwhile. Before runs kept their DAG, one such edit made
 * every tick throw: the other jobs fired a fraction of their fires and the run never ended.
 */
class EditActiveDagIT {

  private static final int OTHER_JOBS = 50;
  private static final int EDITS = 20;
  private static final List<String> PHASES = List.of("a", "b", "c");

  private static TestService service;
  private static Ledger ledger;

  @BeforeAll
  static void start() throws Exception {
    ledger = new Ledger();
    // Long enough to see each phase of a run from outside, short enough for 20 edits in ~20 s.
    PHASES.forEach(task -> ledger.delay("/edited/" + task, 900));
    service =
        TestService.embedded(
                "edit-it",
                Files.createTempDirectory("zks-edit-it"),
                TestService.freePort(),
                Map.of("scheduler.retainedRuns", "200"))
            .start();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  private static ApiClient api() {
    return service.api(TestService.ADMIN);
  }

  /** The edited job's DAG as the test last wrote it: each task's dependsOn, in order. */
  private final Map<String, List<String>> dag = new LinkedHashMap<>();

  private String task(String id, List<String> dependsOn) {
    StringBuilder deps = new StringBuilder();
    for (String d : dependsOn) {
      deps.append(deps.length() == 0 ? "" : ",").append('"').append(d).append('"');
    }
    return "{\"id\":\""
        + id
        + "\",\"type\":\"http\",\"config\":{\"url\":\""
        + ledger.url("/edited/" + id)
        + "\"},\"dependsOn\":["
        + deps
        + "]}";
  }

  private void putEditedJob() {
    List<String> tasks = new ArrayList<>();
    dag.forEach((id, deps) -> tasks.add(task(id, deps)));
    String body = "{\"id\":\"edited\",\"tasks\":[" + String.join(",", tasks) + "]}";
    Response put = api().put("/api/v1/jobs/edited", body, Map.of());
    assertThat(put.status()).as(put.toString()).isIn(200, 201);
  }

  /** Edit {@code n}: adds a task, removes the one added last, or changes c's dependencies. */
  private void edit(int n, int kind) {
    List<String> extras = dag.keySet().stream().filter(t -> t.startsWith("x")).toList();
    if (kind == 0 || (kind == 1 && extras.isEmpty())) {
      dag.put("x" + n, List.of("c"));
    } else if (kind == 1) {
      dag.remove(extras.get(extras.size() - 1));
    } else {
      dag.put("c", dag.get("c").size() == 1 ? List.of("a", "b") : List.of("b"));
    }
    putEditedJob();
  }

  private static JsonNode run(String job, String runId) {
    Response r = api().get("/api/v1/jobs/" + job + "/runs/" + runId);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  private static void awaitTaskRunning(String runId, String task) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () ->
                assertThat(run("edited", runId).get("tasks").get(task).get("state").asText())
                    .as("task %s of run %s", task, runId)
                    .isEqualTo("RUNNING"));
  }

  /** Every grid second each other job fired for, from its SUCCEEDED runs. */
  private static Set<Instant> firedAt(String job) {
    Response r = api().get("/api/v1/jobs/" + job + "/runs?limit=1000");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Set<Instant> fired = new TreeSet<>();
    for (JsonNode run : r.json().get("runs")) {
      if (run.get("state").asText().equals("SUCCEEDED")) {
        fired.add(Instant.parse(run.get("nominalTime").asText()));
      }
    }
    return fired;
  }

  @Test
  void editingADagJobWhileItsRunsAreActiveStallsNothing() {
    Instant anchor = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    for (int i = 0; i < OTHER_JOBS; i++) {
      String task =
          i % 5 == 0
              ? "{\"id\":\"t\",\"type\":\"http\",\"config\":{\"url\":\""
                  + ledger.url("/other")
                  + "\"}}"
              : "{\"id\":\"t\",\"type\":\"noop\"}";
      Response created =
          api()
              .post(
                  "/api/v1/jobs",
                  "{\"id\":\"other-"
                      + i
                      + "\",\"schedule\":{\"interval\":\"PT1S\",\"startAt\":\""
                      + anchor
                      + "\"},\"tasks\":["
                      + task
                      + "]}");
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }
    dag.put("a", List.of());
    dag.put("b", List.of("a"));
    dag.put("c", List.of("b"));
    putEditedJob();

    Instant windowStart = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    Map<String, Set<String>> expectedTasks = new LinkedHashMap<>();
    int edits = 0;
    for (int runIndex = 0; edits < EDITS; runIndex++) {
      Response triggered = api().post("/api/v1/jobs/edited/trigger", null);
      assertThat(triggered.status()).as(triggered.toString()).isEqualTo(202);
      String runId = triggered.json().get("runId").asText();
      expectedTasks.put(runId, new HashSet<>(dag.keySet()));
      for (int p = 0; p < PHASES.size() && edits < EDITS; p++) {
        awaitTaskRunning(runId, PHASES.get(p));
        edit(edits, (p + runIndex) % 3);
        edits++;
      }
    }
    Instant windowEnd = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    // Every active run ends, on the DAG it was created with; so each later run used the DAG of
    // the edits made before it was triggered.
    for (Map.Entry<String, Set<String>> e : expectedTasks.entrySet()) {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(run("edited", e.getKey()).get("state").asText())
                      .as("run %s", e.getKey())
                      .isEqualTo("SUCCEEDED"));
      Set<String> tasks = new HashSet<>();
      run("edited", e.getKey()).get("tasks").fieldNames().forEachRemaining(tasks::add);
      assertThat(tasks).as("tasks of run %s", e.getKey()).isEqualTo(e.getValue());
      Set<String> called = new HashSet<>();
      ledger.entries("edited").stream()
          .filter(x -> e.getKey().equals(x.run()))
          .forEach(x -> called.add(x.task()));
      assertThat(called).as("tasks called for run %s", e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(expectedTasks.values())
        .as("the edits reached the runs triggered after them")
        .anyMatch(tasks -> tasks.stream().anyMatch(t -> t.startsWith("x")))
        .anyMatch(tasks -> tasks.stream().noneMatch(t -> t.startsWith("x")));

    // Every other job fired every second of the window but its partial first and last seconds.
    Set<Instant> grid = new TreeSet<>();
    for (Instant t = windowStart.plusSeconds(1); t.isBefore(windowEnd); t = t.plusSeconds(1)) {
      grid.add(t);
    }
    assertThat(grid).as("seconds in the window").hasSizeGreaterThanOrEqualTo(8);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (int i = 0; i < OTHER_JOBS; i++) {
                assertThat(firedAt("other-" + i)).as("fires of other-%d", i).containsAll(grid);
              }
            });
  }
}
