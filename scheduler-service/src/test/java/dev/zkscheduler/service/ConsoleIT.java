package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.zkscheduler.service.console.ConsoleHeadersFilter;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.Browser;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser (headless Chromium) against a real service: sign-in per role,
 * the pages against what the API answers, the actions each role gets, and markup in user data
 * staying text. Screenshots go to target/console-screenshots.
 */
class ConsoleIT {

  private static final Set<String> ACTION_BUTTONS =
      Set.of(
          "#new-job",
          "#trigger",
          "#pause",
          "#resume",
          "#backfill",
          "#edit",
          "#delete",
          "#cancel-run");

  /** A failed test leaves its screen and the page's text behind, for whoever reads the report. */
  @RegisterExtension
  final TestWatcher onFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser != null) {
            browser.screenshot("failed-" + context.getRequiredTestMethod().getName());
            System.out.println(
                context.getRequiredTestMethod().getName()
                    + " failed at "
                    + browser.driver().getCurrentUrl()
                    + "; the page read:\n"
                    + browser.script("return document.body.innerText"));
          }
        }
      };

  private static TestService service;
  private static Browser browser;
  private static ApiClient admin;
  private static String console;

  @BeforeAll
  static void start() throws Exception {
    service =
        TestService.embedded(
                "console-it", Files.createTempDirectory("zks-console-it"), TestService.freePort())
            .start();
    admin = service.api(TestService.ADMIN);
    console = admin.baseUrl() + "/console/";
    browser = new Browser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (service != null) {
      service.stop();
    }
  }

  // ---- sign-in

  private static void signIn(String token) {
    browser.open(console);
    browser.script("sessionStorage.clear()");
    browser.driver().navigate().refresh();
    WebElement field = browser.find("#token");
    field.sendKeys(token);
    browser.find("#sign-in-button").click();
  }

  private static void signInAs(String token, String role) {
    signIn(token);
    browser
        .waiting()
        .until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-role", role));
  }

  /** Opens a console route and waits until the page has been drawn for it. */
  private static void show(String hash) {
    String before = drawnMark();
    browser.open(console + hash);
    browser
        .waiting()
        .until(
            d ->
                hash.equals(browser.script("return document.getElementById('page').dataset.route"))
                    && !drawnMark().equals(before));
  }

  private static String drawnMark() {
    Object mark = browser.script("return document.getElementById('page').dataset.drawn || ''");
    return String.valueOf(mark);
  }

  @Test
  void eachRoleSignsInAndIsNamed() {
    Map<String, String> roles = new LinkedHashMap<>();
    roles.put(TestService.VIEWER, "viewer");
    roles.put(TestService.OPERATOR, "operator");
    roles.put(TestService.ADMIN, "admin");
    roles.forEach(
        (token, role) -> {
          signInAs(token, role);
          assertThat(browser.find("#who").getText()).endsWith(role);
          assertThat(browser.find("#nav-jobs").isDisplayed()).isTrue();
          // The token is kept in session storage and never appears in the address.
          assertThat(browser.script("return sessionStorage.getItem('zk-scheduler.token')"))
              .isEqualTo(token);
          assertThat(browser.driver().getCurrentUrl()).doesNotContain(token);
        });
  }

  @Test
  void aWrongTokenShowsAClearMessage() {
    signIn("not-a-token-this-service-knows");
    WebElement message = browser.find("#sign-in-message");
    assertThat(message.getText()).contains("not accepted").contains("401");
    assertThat(browser.present("body[data-role]")).isFalse();
    assertThat(browser.script("return sessionStorage.getItem('zk-scheduler.token')")).isNull();
    browser.screenshot("console-sign-in-refused");
  }

  // ---- pages against the API

  @Test
  void theJobsPageListsExactlyTheJobsTheApiLists() {
    create(
        job(
            "list-a",
            "first of the list",
            "\"schedule\":{\"cron\":\"0 9 * * 1-5\",\"timeZone\":\"America/New_York\"},"));
    create(job("list-b", "every quarter hour", "\"schedule\":{\"interval\":\"PT15M\"},"));
    create(job("list-c", "paused one", "\"paused\":true,"));
    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs");
    assertThat(pageJobIds()).containsExactlyElementsOf(apiJobIds("/api/v1/jobs?limit=50"));
    browser.screenshot("console-jobs");

    filterByState("paused");
    browser
        .waiting()
        .until(d -> pageJobIds().equals(apiJobIds("/api/v1/jobs?limit=50&state=paused")));
    assertThat(pageJobIds()).contains("list-c").doesNotContain("list-a");

    filterByState("");
    WebElement search = browser.find("#job-search");
    search.clear();
    search.sendKeys("QUARTER");
    browser.find("#job-filter button[type=submit]").click();
    browser.waiting().until(d -> pageJobIds().equals(List.of("list-b")));
  }

  /** Sets the jobs page's state filter and applies it. */
  private static void filterByState(String value) {
    new Select(browser.find("#job-state")).selectByValue(value);
    browser.find("#job-filter button[type=submit]").click();
  }

  @Test
  void aDagRunShowsEachTaskStateAsTheApiReportsIt() {
    create(
        "{\"id\":\"dag-run\",\"description\":\"a diamond with a failing branch\",\"tasks\":["
            + "{\"id\":\"extract\",\"type\":\"noop\"},"
            + "{\"id\":\"transform\",\"type\":\"noop\",\"dependsOn\":[\"extract\"]},"
            + "{\"id\":\"check\",\"type\":\"noop\",\"config\":{\"fail\":true},\"dependsOn\":[\"extract\"]},"
            + "{\"id\":\"load\",\"type\":\"noop\",\"dependsOn\":[\"transform\",\"check\"]},"
            + "{\"id\":\"report\",\"type\":\"noop\",\"dependsOn\":[\"check\"],\"triggerRule\":\"ALL_DONE\"}]}");
    String runId = trigger("dag-run");
    JsonNode run = awaitFinished("dag-run", runId);

    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs/dag-run/runs/" + runId);
    browser.find("#dag");
    Map<String, String> apiStates = new LinkedHashMap<>();
    run.get("tasks")
        .properties()
        .forEach(e -> apiStates.put(e.getKey(), e.getValue().get("state").asText()));
    assertThat(apiStates.values()).contains("SUCCEEDED", "FAILED", "UPSTREAM_FAILED");
    Map<String, String> drawn = new LinkedHashMap<>();
    for (WebElement node : browser.driver().findElements(By.cssSelector("#dag g.node"))) {
      drawn.put(node.getAttribute("data-task"), node.getAttribute("data-state"));
    }
    assertThat(drawn).isEqualTo(apiStates);
    Map<String, String> listed = new LinkedHashMap<>();
    for (WebElement row :
        browser.driver().findElements(By.cssSelector("#task-runs-table tbody tr"))) {
      listed.put(
          row.getAttribute("data-task"), row.findElement(By.cssSelector(".state")).getText());
    }
    assertThat(listed).isEqualTo(apiStates);
    // One edge per dependency: extract→transform, extract→check, transform→load, check→load,
    // check→report.
    assertThat(browser.driver().findElements(By.cssSelector("#dag path.edge"))).hasSize(5);
    assertThat(browser.find("#run-state").getAttribute("data-state"))
        .isEqualTo(run.get("state").asText());
    browser.screenshot("console-run");
  }

  @Test
  void anActiveRunIsFollowedLiveUntilItEnds() {
    create(
        "{\"id\":\"slow-run\",\"tasks\":[{\"id\":\"wait\",\"type\":\"noop\",\"config\":{\"sleep\":\"PT5S\"}},"
            + "{\"id\":\"after\",\"type\":\"noop\",\"dependsOn\":[\"wait\"]}]}");
    String runId = trigger("slow-run");
    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs/slow-run/runs/" + runId);
    // The page redraws every second while the run is active, so elements are read in one script
    // call each rather than found and then read (a redraw in between leaves a stale element).
    assertThat(text("#run-live")).startsWith("live");
    // No reload from here on: the page polls the API and redraws.
    browser
        .waiting()
        .until(
            d ->
                "SUCCEEDED"
                    .equals(
                        browser.script(
                            "return document.querySelector('#run-state').dataset.state")));
    assertThat(
            browser.script(
                "return document.querySelector('#dag g.node[data-task=after]').dataset.state"))
        .isEqualTo("SUCCEEDED");
    assertThat(text("#run-live")).isEqualTo("finished");
  }

  @Test
  void theJobPageShowsTheDefinitionTheNextTenFiresAndTheRuns() {
    create(
        job(
            "shown",
            "shown on its page",
            "\"schedule\":{\"cron\":\"30 2 * * *\",\"timeZone\":\"Europe/Berlin\"},"));
    String runId = trigger("shown");
    awaitFinished("shown", runId);
    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs/shown");
    assertThat(browser.find("#job-schedule").getText()).isEqualTo("every day at 02:30");
    List<WebElement> fires =
        browser.driver().findElements(By.cssSelector("#preview-table tbody tr"));
    assertThat(fires).hasSize(10);
    JsonNode preview = admin.get("/api/v1/jobs/shown/preview?count=10").json().get("fireTimes");
    assertThat(fires.get(0).findElements(By.tagName("td")).get(1).getText())
        .isEqualTo(preview.get(0).get("local").asText());
    WebElement row = browser.find("#runs-table tbody tr[data-run-id='" + runId + "']");
    assertThat(row.getText()).contains("MANUAL").contains("SUCCEEDED");
    browser.screenshot("console-job");
  }

  @Test
  void theJobPageSaysWhoCreatedAndWhoChangedTheJob() {
    create(job("audited", "who wrote me", ""));
    Response paused = admin.as(TestService.OPERATOR).post("/api/v1/jobs/audited/pause", null);
    assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
    JsonNode job = paused.json();
    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs/audited");
    assertThat(browser.find("#job-audit").getText())
        .isEqualTo(
            "created by test-admin at "
                + shown(job.get("createdAt").asText())
                + " · changed by test-operator at "
                + shown(job.get("updatedAt").asText()));
    // Closed details: its text is not rendered, but it is there.
    assertThat(browser.driver().findElement(By.id("job-json-view")).getAttribute("textContent"))
        .contains("\"id\": \"audited\"")
        .doesNotContain("createdBy")
        .doesNotContain("updatedAt");
  }

  /** An instant as the console shows it (format.js utc). */
  private static String shown(String instant) {
    return instant.replace('T', ' ').replaceFirst("\\.\\d+Z$", "Z");
  }

  @Test
  void theClusterPageShowsTheLeaderAndMembers() {
    JsonNode cluster = admin.get("/api/v1/cluster").json();
    signInAs(TestService.VIEWER, "viewer");
    show("#/cluster");
    assertThat(browser.find("#cluster-leader").getText()).isEqualTo(cluster.get("leader").asText());
    assertThat(browser.find("#cluster-epoch").getText()).isEqualTo(cluster.get("epoch").asText());
    assertThat(browser.driver().findElements(By.cssSelector("#members-table tbody tr")))
        .hasSize(cluster.get("members").size());
    for (JsonNode member : cluster.get("members")) {
      WebElement row =
          browser.find("#members-table tbody tr[data-member='" + member.get("id").asText() + "']");
      String role = row.findElement(By.className("member-role")).getText();
      assertThat(role).startsWith(member.get("role").asText());
      assertThat(role.contains("leader"))
          .isEqualTo(member.get("id").asText().equals(cluster.get("leader").asText()));
      assertThat(row.findElement(By.className("member-worker")).getText())
          .isEqualTo(member.get("worker").asText());
      assertThat(row.findElement(By.className("member-capacity")).getText())
          .isEqualTo(member.get("capacity").asText());
    }
    browser.screenshot("console-cluster");
  }

  // ---- actions by role

  @Test
  void aViewerSeesNoActionButtons() {
    create(job("viewer-sees", "read only", ""));
    String runId = trigger("viewer-sees");
    signInAs(TestService.VIEWER, "viewer");
    for (String hash :
        List.of("#/jobs", "#/jobs/viewer-sees", "#/jobs/viewer-sees/runs/" + runId)) {
      show(hash);
      assertThat(browser.find("#page").getText()).as(hash).doesNotContain("null");
      for (String button : ACTION_BUTTONS) {
        assertThat(browser.present(button)).as("%s on %s", button, hash).isFalse();
      }
    }
    assertThat(browser.present("#job-actions")).isFalse();
  }

  @Test
  void anOperatorMayTriggerPauseAndBackfillButNotEditOrDelete() {
    create(job("operated", "operator's job", "\"schedule\":{\"interval\":\"PT1H\"},"));
    signInAs(TestService.OPERATOR, "operator");
    show("#/jobs/operated");
    assertThat(browser.present("#trigger")).isTrue();
    assertThat(browser.present("#backfill")).isTrue();
    assertThat(browser.present("#edit")).isFalse();
    assertThat(browser.present("#delete")).isFalse();
    browser.find("#pause").click();
    browser.find("#resume");
    assertThat(admin.get("/api/v1/jobs/operated").json().get("paused").asBoolean()).isTrue();
    browser.find("#resume").click();
    browser.find("#pause");
    assertThat(admin.get("/api/v1/jobs/operated").json().get("paused").asBoolean()).isFalse();
  }

  @Test
  void theTriggerButtonCreatesARun() {
    create(job("triggered", "started from the console", ""));
    signInAs(TestService.OPERATOR, "operator");
    show("#/jobs/triggered");
    assertThat(browser.present("#runs-none")).isTrue();
    browser.find("#trigger").click();
    browser.waiting().until(ExpectedConditions.urlContains("/runs/"));
    String runId = browser.find("#run-id").getText();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Response run = admin.get("/api/v1/jobs/triggered/runs/" + runId);
              assertThat(run.status()).isEqualTo(200);
              assertThat(run.json().get("trigger").asText()).isEqualTo("MANUAL");
            });
    assertThat(admin.get("/api/v1/jobs/triggered/runs").json().get("runs")).hasSize(1);
  }

  @Test
  void anAdminCreatesWithFieldErrorsShownThenDeletesWithConfirmation() {
    signInAs(TestService.ADMIN, "admin");
    show("#/jobs");
    browser.find("#new-job").click();
    WebElement editor = browser.find("#job-json");
    editor.clear();
    editor.sendKeys(
        "{\"id\": \"made-in-console\", \"schedule\": {\"cron\": \"0 9 * * *\","
            + " \"timeZone\": \"Mars/Olympus_Mons\"}, \"tasks\": [{\"id\": \"a\", \"type\": \"noop\"}]}");
    browser.find("#save-job").click();
    WebElement problem = browser.find("#job-errors li[data-field='schedule.timeZone']");
    assertThat(problem.getText()).contains("unknown time zone");
    browser.screenshot("console-editor-errors");
    assertThat(admin.get("/api/v1/jobs/made-in-console").status()).isEqualTo(404);

    editor = browser.find("#job-json");
    editor.clear();
    editor.sendKeys(
        "{\"id\": \"made-in-console\", \"schedule\": {\"cron\": \"0 9 * * *\","
            + " \"timeZone\": \"Europe/Paris\"}, \"tasks\": [{\"id\": \"a\", \"type\": \"noop\"}]}");
    browser.find("#save-job").click();
    browser.waiting().until(ExpectedConditions.textToBe(By.id("job-id"), "made-in-console"));
    assertThat(admin.get("/api/v1/jobs/made-in-console").status()).isEqualTo(200);

    browser.find("#delete").click();
    browser.find("#delete-no").click();
    assertThat(admin.get("/api/v1/jobs/made-in-console").status()).isEqualTo(200);
    browser.find("#delete").click();
    browser.find("#delete-yes").click();
    browser.waiting().until(ExpectedConditions.urlMatches("#/jobs$"));
    assertThat(admin.get("/api/v1/jobs/made-in-console").status()).isEqualTo(404);
  }

  // ---- user data stays text

  @Test
  void markupInADescriptionRendersAsText() {
    String markup =
        "<script>alert('script')</script><img src=x onerror=alert('img')> & <b>bold</b>";
    create(
        "{\"id\":\"markup\",\"description\":"
            + TextNode.valueOf(markup)
            + ",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}");
    signInAs(TestService.VIEWER, "viewer");
    show("#/jobs");
    WebElement cell = browser.find("tr[data-job-id=markup] td.description");
    assertThat(cell.getText()).isEqualTo(markup);
    assertThat(cell.findElements(By.cssSelector("img, script, b"))).isEmpty();
    show("#/jobs/markup");
    WebElement description = browser.find("#job-description");
    assertThat(description.getText()).isEqualTo(markup);
    assertThat(description.findElements(By.cssSelector("img, script, b"))).isEmpty();
    assertThat(browser.alertOpen()).isFalse();
    assertThat(browser.present("img")).isFalse();
  }

  @Test
  void consoleResponsesCarryAPolicyThatAllowsOnlyTheServiceItself() {
    ApiClient anonymous = admin.as(null);
    for (String path : List.of("/console/", "/console/js/app.js", "/console/console.css")) {
      Response response = anonymous.get(path);
      assertThat(response.status()).as(path).isEqualTo(200);
      assertThat(response.header("Content-Security-Policy"))
          .as(path)
          .isEqualTo(ConsoleHeadersFilter.POLICY)
          .doesNotContain("unsafe-inline")
          .doesNotContain("http");
    }
  }

  // ---- helpers

  private static String job(String id, String description, String more) {
    return "{\"id\":\""
        + id
        + "\",\"description\":\""
        + description
        + "\","
        + more
        + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}";
  }

  private static void create(String json) {
    Response created = admin.post("/api/v1/jobs", json);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
  }

  private static String trigger(String jobId) {
    Response triggered =
        admin.as(TestService.OPERATOR).post("/api/v1/jobs/" + jobId + "/trigger", null);
    assertThat(triggered.status()).as(triggered.toString()).isEqualTo(202);
    return triggered.json().get("runId").asText();
  }

  private static JsonNode awaitFinished(String jobId, String runId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> admin.get("/api/v1/jobs/" + jobId + "/runs/" + runId),
            r ->
                r.status() == 200
                    && !Set.of("PENDING", "RUNNING").contains(r.json().get("state").asText()))
        .json();
  }

  private static String text(String css) {
    return String.valueOf(
        browser.script("return document.querySelector(arguments[0]).textContent", css));
  }

  /** The ids the jobs table shows, read in one go so that a redraw cannot interleave. */
  private static List<String> pageJobIds() {
    Object ids =
        browser.script(
            "return [...document.querySelectorAll('#jobs-table tbody tr')]"
                + ".map(row => row.dataset.jobId)");
    List<String> result = new ArrayList<>();
    ((List<?>) ids).forEach(id -> result.add(String.valueOf(id)));
    return result;
  }

  private static List<String> apiJobIds(String path) {
    List<String> ids = new ArrayList<>();
    admin.get(path).json().get("jobs").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }
}
