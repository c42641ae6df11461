package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Runs the example of docs/embedding.md, as written there, against a real ZooKeeper server. */
class EmbeddingExampleIT {

  /** Stands in for the application's own service. */
  static final class Invoices {
    final List<String> sent = new CopyOnWriteArrayList<>();

    void send(Instant day, long fencingToken) {
      sent.add(day + "@" + fencingToken);
    }
  }

  @Test
  void theDocumentedExampleRuns() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      Invoices invoices = new Invoices();
      HealthCheckRegistry health = new HealthCheckRegistry();

      // --- docs/embedding.md, verbatim from here ---
      Scheduler scheduler =
          Scheduler.builder()
              .connectString(zk.getConnectString())
              .namespace("billing")
              .memberId("billing-1")
              .healthChecks(health)
              .job(
                  "nightly-invoices",
                  Schedule.cron("0 2 * * *", ZoneId.of("Europe/Paris")),
                  ctx -> {
                    invoices.send(ctx.nominalTime(), ctx.fencingToken());
                    return TaskResult.success();
                  })
              .build();
      scheduler.start();
      // --- to here ---

      try {
        await().atMost(Duration.ofSeconds(15)).until(scheduler::isLeader);
        assertThat(scheduler.job("nightly-invoices")).isPresent();
        assertThat(
                scheduler
                    .preview("nightly-invoices", Instant.parse("2026-12-01T00:00:00Z"), 1)
                    .get(0)
                    .toString())
            .isEqualTo("2026-12-01T02:00+01:00[Europe/Paris]");
        String runId = scheduler.trigger("nightly-invoices");
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    scheduler
                        .run("nightly-invoices", runId)
                        .map(r -> r.state() == RunState.SUCCEEDED)
                        .orElse(false));
        assertThat(invoices.sent).hasSize(1);
        // The fencing token is the attempt's own: larger than any given before it in the cluster.
        assertThat(
                Long.parseLong(
                    invoices.sent.get(0).substring(invoices.sent.get(0).indexOf('@') + 1)))
            .isPositive();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    health.runHealthChecks().values().stream()
                        .allMatch(HealthCheck.Result::isHealthy));
        assertThat(health.getNames())
            .containsExactlyInAnyOrder(
                "scheduler-loop", "zookeeper", "leadership", "clock-skew", "worker");
        assertThat(scheduler.cluster().leaderId()).isEqualTo("billing-1");
      } finally {
        scheduler.close();
      }
      assertThat(scheduler.isLeader()).isFalse();
    }
  }
}
