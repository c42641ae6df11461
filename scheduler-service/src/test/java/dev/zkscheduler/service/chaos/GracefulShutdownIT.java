package dev.zkscheduler.service.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.chaos.ProcessCluster.Node;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM of the member running an attempt, on real processes: the member drains, its handler
 * finishes and reports within {@code scheduler.shutdownTimeout}, and the run succeeds on that one
 * call — recorded in ZooKeeper for the members that stay.
 */
class GracefulShutdownIT {

  private static final Duration TASK = Duration.ofSeconds(3);

  private ProcessCluster cluster;
  private CallRecorder target;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @Test
  void sigtermLetsTheRunningHandlerFinishAndReport() throws Exception {
    target = new CallRecorder(TASK);
    cluster =
        new ProcessCluster(Path.of("target", "graceful", "run-" + System.currentTimeMillis()))
            .withShutdownTimeout(Duration.ofSeconds(10));
    cluster.start();
    Node leader = cluster.awaitLeader(Duration.ofSeconds(60));
    ApiClient api = leader.api(TestService.ADMIN);
    ApiClient.Response created = api.post("/api/v1/jobs", MemberJobs.json("slow", target, 1));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);

    String runId = api.post("/api/v1/jobs/slow/trigger", null).json().get("runId").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> !target.calls("slow").isEmpty());
    Node worker = cluster.node(target.calls("slow").get(0).node());
    boolean leaderToo = worker == leader;
    worker.terminate();
    assertThat(worker.running()).as(worker.id() + " stopped on SIGTERM").isFalse();

    List<Node> remaining = cluster.nodes().stream().filter(n -> n != worker).toList();
    for (Node node : remaining) {
      JsonNode run =
          MemberJobs.awaitTerminal(
              node.api(TestService.VIEWER), "slow", runId, Duration.ofSeconds(60));
      assertThat(run.get("state").asText())
          .as("%s on %s (worker %s, leader too: %s)", run, node.id(), worker.id(), leaderToo)
          .isEqualTo("SUCCEEDED");
      JsonNode task = run.get("tasks").get("call");
      assertThat(task.get("attempts").asInt()).isEqualTo(1);
      assertThat(task.get("node").asText()).isEqualTo(worker.id());
      assertThat(task.get("worker").asText()).startsWith(worker.id() + "~");
    }
    assertThat(target.calls("slow")).as("the handler is called once").hasSize(1);
  }
}
