package dev.zkscheduler.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.service.BuildInfo;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.PrometheusText;
import dev.zkscheduler.service.support.TestService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics/prometheus} from a running node after a run went through, parses it
 * strictly, and holds the alert rules and the Grafana dashboard to what is served: a metric they
 * name that the node does not serve is an alert that can never fire or a panel that stays empty.
 */
class PrometheusScrapeIT {

  private static final Path OPS = Path.of("..", "ops");
  private static final Pattern METRIC_IN_TEXT =
      Pattern.compile("\\b((?:zkscheduler|jvm|process)_[a-zA-Z0-9_]*[a-zA-Z0-9])\\b");
  private static final String JOB = "scrape-me";

  @TempDir static Path data;

  private static TestService node;
  private static PrometheusText scraped;

  @BeforeAll
  static void runAJobAndScrape() throws Exception {
    node =
        TestService.embedded(
                "scrape-it",
                data,
                TestService.freePort(),
                Map.of("prometheus.lastSuccessJobs", "[" + JOB + ", no-such-job]"))
            .start();
    ApiClient api = node.api(TestService.ADMIN);
    String body = "{\"id\":\"" + JOB + "\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}";
    assertThat(api.post("/api/v1/jobs", body).status()).isEqualTo(201);
    String runId = api.post("/api/v1/jobs/" + JOB + "/trigger", null).json().get("runId").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Response run = api.get("/api/v1/jobs/" + JOB + "/runs/" + runId);
              return run.status() == 200 && run.json().get("state").asText().equals("SUCCEEDED");
            });
    // The run's end is counted by the leader after its state is written; wait for the count.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                scrape().samples("zkscheduler_engine_runs_ended_total").stream()
                    .anyMatch(s -> s.labels().get("state").equals("SUCCEEDED") && s.value() >= 1));
    scraped = scrape();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
  }

  private static PrometheusText scrape() {
    Response response = node.admin().get("/metrics/prometheus");
    assertThat(response.status()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }

  @Test
  void everyMetricTheAlertRulesNameIsServed() throws IOException {
    assertServed(namesIn(OPS.resolve("prometheus/alerts.yml")));
  }

  @Test
  void everyMetricTheDashboardNamesIsServed() throws IOException {
    assertServed(namesIn(OPS.resolve("grafana/zk-scheduler.json")));
  }

  @Test
  void schedulerMetricsFollowPrometheusConventions() {
    scraped.families().values().stream()
        .filter(f -> f.name().startsWith("zkscheduler_"))
        .forEach(
            family -> {
              assertThat(family.type())
                  .as(family.name())
                  .isNotEqualTo("summary")
                  .isNotEqualTo("untyped");
              assertThat(family.help()).as(family.name()).isNotBlank();
              assertThat(family.name())
                  .as("no unit but seconds")
                  .doesNotEndWith("_ms")
                  .doesNotEndWith("_millis");
              if (family.type().equals("histogram")) {
                assertThat(family.name()).endsWith("_seconds");
              }
            });
    assertThat(scraped.families().get("zkscheduler_engine_fire_lag_seconds").type())
        .isEqualTo("histogram");
    assertThat(scraped.sampleNames())
        .as("states are a label, not part of the name")
        .noneMatch(name -> name.matches(".*_(SUCCEEDED|FAILED|TIMED_OUT|CANCELLED|SKIPPED).*"));
  }

  @Test
  void theRunShowsInCountersAndTaskDurations() {
    assertThat(scraped.samples("zkscheduler_task_duration_seconds_count"))
        .anySatisfy(
            s -> {
              assertThat(s.labels())
                  .containsEntry("type", "noop")
                  .containsEntry("outcome", "succeeded");
              assertThat(s.value()).isGreaterThanOrEqualTo(1);
            });
    assertThat(scraped.samples("zkscheduler_engine_runs_ended_total"))
        .extracting(s -> s.labels().get("state"))
        .contains("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED");
  }

  @Test
  void buildInfoNamesThisBuild() {
    BuildInfo build = BuildInfo.current();
    assertThat(scraped.samples("zkscheduler_build_info"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.labels())
                  .containsEntry("version", build.version())
                  .containsEntry("revision", build.revision());
              assertThat(s.value()).isEqualTo(1.0);
            });
  }

  @Test
  void theListedJobReportsItsLastSuccess() {
    assertThat(scraped.samples("zkscheduler_job_last_success_timestamp_seconds"))
        .as("only the listed job that exists and succeeded")
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.labels()).containsEntry("job_id", JOB);
              assertThat(s.value()).isGreaterThan(1.7e9);
            });
  }

  @Test
  void standardJvmAndProcessMetricsAreServed() {
    assertThat(scraped.sampleNames())
        .contains(
            "jvm_memory_used_bytes",
            "jvm_gc_collection_seconds_count",
            "jvm_threads_current",
            "process_cpu_seconds_total",
            "process_start_time_seconds");
    assertThat(scraped.sampleNames())
        .as("Dropwizard's own JVM gauges are not exported a second time")
        .noneMatch(name -> name.startsWith("jvm_memory_heap_"));
  }

  private void assertServed(Set<String> names) {
    assertThat(names).as("the file names some metrics").isNotEmpty();
    Set<String> served = new TreeSet<>(scraped.sampleNames());
    served.addAll(scraped.families().keySet());
    assertThat(served).containsAll(names);
  }

  private static Set<String> namesIn(Path file) throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher matcher = METRIC_IN_TEXT.matcher(Files.readString(file));
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }
}
