package dev.zkscheduler.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.SchedulerApplication;
import dev.zkscheduler.service.cli.JobsApply.Action;
import dev.zkscheduler.service.cli.JobsApply.Outcome;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code apply} against a real node: plans, idempotence, prune, dry runs, bad files, races. */
class ApplyIT {

  private static TestService node;
  private static ApiClient api;

  @TempDir Path dir;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws Exception {
    node =
        TestService.embedded(
                "apply-it",
                Files.createTempDirectory("zks-apply-it"),
                TestService.freePort(),
                Map.of("tasks.shell.enabled", "true"))
            .start();
    api = node.api(TestService.ADMIN);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @BeforeEach
  void emptyServer() {
    for (JsonNode job : api.get("/api/v1/jobs?limit=1000").json().get("jobs")) {
      assertThat(api.delete("/api/v1/jobs/" + job.get("id").asText()).status()).isEqualTo(204);
    }
  }

  private JobsApply apply() {
    printed.reset();
    return new JobsApply(
        new JobsClient(api.baseUrl(), TestService.ADMIN),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private List<String> lines() {
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private void write(String file, String json) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, json);
  }

  /** A varied job: interval without startAt, cron, http with secret references, shell env. */
  private static String job(int i) {
    String id = String.format("job-%02d", i);
    String schedule =
        switch (i % 3) {
          case 0 -> "{\"interval\":\"PT1H\"}";
          case 1 -> "{\"cron\":\"0 " + (i % 24) + " * * *\",\"timeZone\":\"Europe/Berlin\"}";
          default -> "{\"at\":\"2099-01-01T00:00:00Z\"}";
        };
    return "{\"id\":\""
        + id
        + "\",\"description\":\"job number "
        + i
        + "\",\"schedule\":"
        + schedule
        + ",\"tasks\":["
        + "{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\"http://127.0.0.1:1/x\","
        + "\"headers\":{\"Authorization\":\"Bearer ${env:TOKEN_"
        + i
        + "}\",\"X-Team\":\"team-"
        + (i % 5)
        + "\"}}},"
        + "{\"id\":\"run\",\"type\":\"shell\",\"dependsOn\":[\"call\"],"
        + "\"config\":{\"command\":[\"true\"],\"env\":{\"PW\":\"${file:/run/secrets/pw}\"}},"
        + "\"retry\":{\"maxAttempts\":2}}"
        + "],\"timeout\":\"PT10M\"}";
  }

  private Map<String, String> etags() {
    Map<String, String> etags = new LinkedHashMap<>();
    for (JsonNode job : api.get("/api/v1/jobs?limit=1000").json().get("jobs")) {
      String id = job.get("id").asText();
      etags.put(id, api.get("/api/v1/jobs/" + id).header("ETag"));
    }
    return etags;
  }

  @Test
  void fiftyJobsAppliedTwiceThenOneEditedAndOneRemovedWithPrune() throws Exception {
    for (int i = 0; i < 50; i++) {
      write((i < 25 ? "team-a/" : "team-b/") + "job-" + i + ".json", job(i));
    }
    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(lines()).contains("plan: 50 to create, 0 to change, 0 to delete, 0 unchanged");
    assertThat(lines()).filteredOn(l -> l.startsWith("created ")).hasSize(50);
    Map<String, String> first = etags();
    assertThat(first).hasSize(50);
    JsonNode stored = api.get("/api/v1/jobs/job-07").json();
    assertThat(
            stored.get("tasks").get(0).get("config").get("headers").get("Authorization").asText())
        .isEqualTo("<redacted>");

    JobsApply.Plan again = apply().plan(dir, false);
    assertThat(again.steps()).hasSize(50).allMatch(s -> s.action() == Action.SAME);
    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(lines())
        .contains(
            "plan: 0 to create, 0 to change, 0 to delete, 50 unchanged", "applied: 0 write(s)");
    assertThat(lines()).filteredOn(l -> l.startsWith("same    job-")).hasSize(50);
    assertThat(etags()).as("no job written on the second run").isEqualTo(first);

    // An edit of a secret reference is a change named by its path, without values; a removed
    // file is left alone without --prune and deleted with it.
    write("team-a/job-3.json", job(3).replace("${env:TOKEN_3}", "${env:ROTATED_TOKEN}"));
    Files.delete(dir.resolve("team-b/job-40.json"));
    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(lines())
        .contains(
            "change  job-03  (team-a/job-3.json): tasks[0].config.headers.Authorization",
            "1 job(s) on the server are not in the directory and are left alone (--prune"
                + " deletes them): job-40",
            "plan: 0 to create, 1 to change, 0 to delete, 48 unchanged");
    assertThat(String.join("\n", lines())).doesNotContain("ROTATED_TOKEN");
    assertThat(api.get("/api/v1/jobs/job-40").status()).isEqualTo(200);

    assertThat(apply().run(dir, true, false)).isEqualTo(Outcome.OK);
    assertThat(lines())
        .contains(
            "delete  job-40",
            "plan: 0 to create, 0 to change, 1 to delete, 49 unchanged",
            "deleted job-40");
    assertThat(api.get("/api/v1/jobs/job-40").status()).isEqualTo(404);
    assertThat(
            node.application()
                .scheduler()
                .job("job-03")
                .orElseThrow()
                .value()
                .tasks()
                .get(0)
                .config()
                .get("headers"))
        .isEqualTo(Map.of("Authorization", "Bearer ${env:ROTATED_TOKEN}", "X-Team", "team-3"));
    Map<String, String> last = etags();
    first.remove("job-40");
    first.remove("job-03");
    last.remove("job-03");
    assertThat(last).isEqualTo(first);

    assertThat(apply().plan(dir, true).steps()).allMatch(s -> s.action() == Action.SAME);
  }

  @Test
  void badFilesAreAllNamedWithTheirPathsAndNothingIsApplied() throws Exception {
    write("good-1.json", job(1));
    write("good-2.json", job(2));
    write("broken.json", "{\"id\": \"broken\",\n  \"tasks\": [}");
    write("array.json", "[1, 2]");
    write("truncated.json", "{\"id\": \"cut\", \"tasks\": [");
    write(
        "cron.json",
        "{\"id\":\"bad-cron\",\"schedule\":{\"cron\":\"61 * * * *\"},"
            + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}],\"timeout\":\"ten minutes\"}");
    write("no-id.json", "{\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}");
    write(
        "cycle.json",
        "{\"id\":\"cycle\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"a\"]}]}");
    write("dup.json", job(1));
    write("server/type.json", "{\"id\":\"bad-type\",\"tasks\":[{\"id\":\"t\",\"type\":\"ftp\"}]}");
    write(
        "server/secret.json",
        "{\"id\":\"bad-secret\",\"tasks\":[{\"id\":\"t\",\"type\":\"http\",\"config\":{"
            + "\"url\":\"http://x/\",\"headers\":{\"Authorization\":\"Bearer ${env:TOKEN\"}}}]}");
    write("notes.txt", "not a job, not read");

    assertThat(apply().run(dir, true, false)).isEqualTo(Outcome.INVALID);

    List<String> invalid = lines().stream().filter(l -> l.startsWith("invalid ")).toList();
    assertThat(invalid)
        .anySatisfy(
            l ->
                assertThat(l)
                    .isEqualTo(
                        "invalid broken.json: not JSON: Unexpected close marker '}': expected ']'"
                            + " (line 2, column 13)"))
        .anySatisfy(l -> assertThat(l).startsWith("invalid array.json: must hold one job"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("invalid truncated.json: not JSON: Unexpected end-of-input")
                    .endsWith("(line 1, column 25)")
                    .doesNotContain("Source"))
        .anySatisfy(l -> assertThat(l).startsWith("invalid cron.json: schedule.cron: "))
        .anySatisfy(l -> assertThat(l).startsWith("invalid cron.json: timeout: "))
        .anySatisfy(l -> assertThat(l).startsWith("invalid no-id.json: id: "))
        .anySatisfy(l -> assertThat(l).startsWith("invalid cycle.json: tasks[0].dependsOn[0]: "))
        .anySatisfy(
            l ->
                assertThat(l)
                    .isEqualTo("invalid good-1.json: id: job 'job-01' is also defined in dup.json"))
        .anySatisfy(l -> assertThat(l).startsWith("invalid server/type.json: tasks[0].type: "))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "invalid server/secret.json: tasks[0].config.headers.Authorization: "));
    assertThat(invalid).hasSize(10);
    assertThat(lines()).noneMatch(l -> l.contains("notes.txt"));
    assertThat(lines()).last().asString().contains("nothing was applied");
    assertThat(api.get("/api/v1/jobs").json().get("jobs")).isEmpty();
  }

  @Test
  void aDryRunPrintsThePlanAndChangesNothing() throws Exception {
    assertThat(api.post("/api/v1/jobs", job(1)).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/jobs", job(2)).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/jobs", job(3)).status()).isEqualTo(201);
    write("job-1.json", job(1));
    write("job-2.json", job(2).replace("job number 2", "job number two"));
    write("job-4.json", job(4));
    Map<String, String> before = etags();

    assertThat(apply().run(dir, true, true)).isEqualTo(Outcome.OK);

    assertThat(lines())
        .containsExactly(
            "same    job-01  (job-1.json)",
            "change  job-02  (job-2.json): description",
            "create  job-04  (job-4.json)",
            "delete  job-03",
            "plan: 1 to create, 1 to change, 1 to delete, 1 unchanged",
            "dry run: nothing was applied");
    assertThat(etags()).isEqualTo(before);
  }

  @Test
  void aJobEditedOnTheServerAfterThePlanIsNotOverwritten() throws Exception {
    assertThat(api.post("/api/v1/jobs", job(1)).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/jobs", job(2)).status()).isEqualTo(201);
    write("job-1.json", job(1).replace("job number 1", "from git"));
    write("job-2.json", job(2).replace("job number 2", "from git"));
    write("job-5.json", job(5));
    JobsApply apply = apply();
    JobsApply.Plan plan = apply.plan(dir, false);

    String concurrent = job(1).replace("job number 1", "edited by hand");
    assertThat(api.put("/api/v1/jobs/job-01", concurrent, Map.of()).status()).isEqualTo(200);
    assertThat(api.post("/api/v1/jobs", job(5)).status()).isEqualTo(201);

    assertThat(apply.apply(plan)).isEqualTo(Outcome.CONFLICT);
    assertThat(lines())
        .anySatisfy(l -> assertThat(l).startsWith("conflict job-01: "))
        .anySatisfy(l -> assertThat(l).startsWith("conflict job-05: "))
        .contains("changed job-02");
    assertThat(api.get("/api/v1/jobs/job-01").json().get("description").asText())
        .isEqualTo("edited by hand");
    assertThat(api.get("/api/v1/jobs/job-02").json().get("description").asText())
        .isEqualTo("from git");
  }

  @Test
  void aPausedJobStaysPausedWhenItsFileSaysNothingAboutIt() throws Exception {
    write("job-1.json", job(1));
    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(api.as(TestService.OPERATOR).post("/api/v1/jobs/job-01/pause", null).status())
        .isEqualTo(200);

    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(lines()).contains("same    job-01  (job-1.json)");
    assertThat(api.get("/api/v1/jobs/job-01").json().get("paused").asBoolean()).isTrue();

    write("job-1.json", job(1).replace("\"timeout\"", "\"paused\":false,\"timeout\""));
    assertThat(apply().run(dir, false, false)).isEqualTo(Outcome.OK);
    assertThat(lines()).contains("change  job-01  (job-1.json): paused");
    assertThat(api.get("/api/v1/jobs/job-01").json().get("paused").asBoolean()).isFalse();
  }

  @Test
  void theCommandInTheServiceJarParsesItsArgumentsAndEndsWithItsExitStatus() throws Exception {
    write("job-1.json", job(1));
    assertThat(
            command(
                "apply",
                "--dir",
                dir.toString(),
                "--url",
                api.baseUrl(),
                "--token",
                TestService.ADMIN))
        .isEmpty();
    assertThat(api.get("/api/v1/jobs/job-01").status()).isEqualTo(200);

    write("bad.json", "{");
    assertThat(
            command(
                "apply",
                "--dir",
                dir.toString(),
                "--url",
                api.baseUrl(),
                "--token",
                TestService.ADMIN))
        .get()
        .isInstanceOfSatisfying(
            dev.zkscheduler.service.cli.ApplyCommand.ExitStatus.class,
            e -> assertThat(e.status()).isEqualTo(2));
    Files.delete(dir.resolve("bad.json"));
    assertThat(
            command(
                "apply",
                "--dir",
                dir.toString(),
                "--url",
                api.baseUrl(),
                "--token",
                TestService.VIEWER))
        .get()
        .isInstanceOfSatisfying(
            dev.zkscheduler.service.cli.ApplyCommand.ExitStatus.class,
            e -> assertThat(e.status()).isEqualTo(1));
    assertThat(command("apply", "--url", api.baseUrl())).isPresent();
  }

  private static Optional<Throwable> command(String... arguments) {
    SchedulerApplication application = new SchedulerApplication();
    Bootstrap<SchedulerConfiguration> bootstrap = new Bootstrap<>(application);
    application.initialize(bootstrap);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new JarLocation(SchedulerApplication.class),
            bootstrap,
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    return cli.run(arguments);
  }
}
