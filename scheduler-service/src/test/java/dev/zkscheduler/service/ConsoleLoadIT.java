package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.Browser;
import dev.zkscheduler.service.support.TestService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * How long the console's pages take to load on a service holding 10,000 jobs. It reports the
 * figures (stdout and target/console-load.txt) and asserts only that each page showed what it
 * should: a time limit would fail on a busy machine without saying anything about the console.
 *
 * <p>A load is timed in the browser, from the start of the navigation (a fresh page load, token
 * already in session storage) to the moment the console has drawn the page with the API's data:
 * modules, the whoami call, the page's API calls and the drawing all count.
 */
class ConsoleLoadIT {

  private static final int JOBS = 10_000;
  private static final int LOADS = 7;

  private static TestService service;
  private static Browser browser;
  private static ApiClient admin;

  @BeforeAll
  static void start() throws Exception {
    service =
        TestService.embedded(
                "console-load-it",
                Files.createTempDirectory("zks-console-load"),
                TestService.freePort())
            .start();
    admin = service.api(TestService.ADMIN);
    createJobs();
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

  /** Jobs without a schedule, so the leader has nothing to fire while the pages are timed. */
  private static void createJobs() throws Exception {
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        String id = String.format(Locale.ROOT, "load-%05d", i);
        answers.add(
            pool.submit(
                () ->
                    admin
                        .post(
                            "/api/v1/jobs",
                            "{\"id\":\""
                                + id
                                + "\",\"description\":\"job "
                                + id
                                + "\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}")
                        .status()));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get()).isEqualTo(201);
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    System.out.printf(
        Locale.ROOT,
        "console load: created %d jobs in %.1f s%n",
        JOBS,
        (System.nanoTime() - started) / 1e9);
  }

  @Test
  void pageLoadsWithTenThousandJobsAreReported() throws Exception {
    Response lastPage = admin.get("/api/v1/jobs?limit=1000&after=load-08999");
    assertThat(lastPage.json().get("jobs")).hasSize(1000);
    assertThat(lastPage.json().get("next").isNull()).isTrue();
    Response trigger = admin.post("/api/v1/jobs/load-05000/trigger", null);
    String runId = trigger.json().get("runId").asText();

    String console = admin.baseUrl() + "/console/";
    browser.open(console);
    browser.script("sessionStorage.setItem('zk-scheduler.token', arguments[0])", TestService.ADMIN);

    Map<String, String> pages =
        Map.of(
            "jobs (first page of 50, with status)", "#/jobs",
            "job (definition, 10 fire times, runs)", "#/jobs/load-05000",
            "run (DAG)", "#/jobs/load-05000/runs/" + runId,
            "cluster", "#/cluster");
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            Locale.ROOT,
            "Console page loads, %d jobs in the store, %d loads per page after one warm-up,%n"
                + "navigation start to page drawn with the API's data (ms):%n",
            JOBS,
            LOADS));
    for (Map.Entry<String, String> page : new java.util.TreeMap<>(pages).entrySet()) {
      List<Double> times = new ArrayList<>();
      List<Double> api = new ArrayList<>();
      List<Double> ready = new ArrayList<>();
      for (int i = 0; i <= LOADS; i++) {
        double[] ms = load(console + page.getValue());
        if (i > 0) {
          times.add(ms[0]);
          api.add(ms[1]);
          ready.add(ms[2]);
        }
      }
      Collections.sort(times);
      Collections.sort(api);
      Collections.sort(ready);
      report.append(
          String.format(
              Locale.ROOT,
              "  %-40s median %6.1f   min %6.1f   max %6.1f"
                  + "   (medians: HTML and modules loaded %6.1f, slowest API call %6.1f)%n",
              page.getKey(),
              times.get(times.size() / 2),
              times.get(0),
              times.get(times.size() - 1),
              ready.get(ready.size() / 2),
              api.get(api.size() / 2)));
    }
    System.out.print(report);
    Files.writeString(Path.of("target", "console-load.txt"), report, StandardCharsets.UTF_8);
  }

  /**
   * One fresh load of the URL, in milliseconds: from navigation start to the page drawn; the page's
   * slowest API call (whoami aside), from the browser's resource timing; and from navigation start
   * to the HTML and the console's modules loaded (DOMContentLoaded).
   */
  private static double[] load(String url) {
    browser.open("about:blank");
    browser.open(url);
    browser
        .waiting()
        .until(
            d ->
                (Boolean)
                    browser.script(
                        "return performance.getEntriesByName('zks-page-drawn').length > 0"));
    if (url.endsWith("#/jobs")) {
      assertThat(browser.driver().findElements(By.cssSelector("#jobs-table tbody tr"))).hasSize(50);
    } else if (url.contains("/runs/")) {
      assertThat(browser.present("#dag")).isTrue();
    } else if (url.endsWith("#/cluster")) {
      assertThat(browser.present("#members-table tbody tr")).isTrue();
    } else {
      assertThat(browser.driver().findElements(By.cssSelector("#preview-table tbody tr")))
          .isEmpty();
      assertThat(browser.present("#job-id")).isTrue();
    }
    Object drawn =
        browser.script("return performance.getEntriesByName('zks-page-drawn')[0].startTime");
    Object api =
        browser.script(
            "return Math.max(0, ...performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/v1/') && !e.name.includes('/whoami'))"
                + ".map(e => e.duration))");
    Object ready =
        browser.script(
            "return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd");
    return new double[] {
      ((Number) drawn).doubleValue(), ((Number) api).doubleValue(), ((Number) ready).doubleValue()
    };
  }
}
