package dev.zkscheduler.service.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.chaos.CallRecorder.Call;
import dev.zkscheduler.service.chaos.ProcessCluster.Node;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the member running an attempt, on real processes: once its session ends the
 * attempt is lost, offered again once to another member under a larger fencing token while the
 * retry policy allows it, and otherwise the run fails naming the lost member.
 */
class MemberKilledIT {

  /** Longer than it takes to see the call and kill its caller; shorter than the http timeout. */
  private static final Duration TASK = Duration.ofSeconds(4);

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
  void anAttemptLostWithItsMemberIsOfferedAgainUnderALargerTokenOrFailsTheRun() throws Exception {
    target = new CallRecorder(TASK);
    cluster = new ProcessCluster(Path.of("target", "killed", "run-" + System.currentTimeMillis()));
    cluster.start();
    Node leader = cluster.awaitLeader(Duration.ofSeconds(60));
    ApiClient admin = leader.api(TestService.ADMIN);
    assertThat(admin.post("/api/v1/jobs", MemberJobs.json("retried", target, 2)).status())
        .isEqualTo(201);
    assertThat(admin.post("/api/v1/jobs", MemberJobs.json("single", target, 1)).status())
        .isEqualTo(201);

    // Two attempts allowed: the lost one is offered again, once, elsewhere, under a larger token.
    String retried = trigger(admin, "retried");
    Node killed = killCallerOfFirstCall("retried");
    JsonNode run =
        MemberJobs.awaitTerminal(reader(killed), "retried", retried, Duration.ofSeconds(60));
    List<Call> calls = target.calls("retried");
    assertThat(run.get("state").asText()).as("%s; calls %s", run, calls).isEqualTo("SUCCEEDED");
    assertThat(calls).as("one call per attempt").hasSize(2);
    assertThat(calls.get(0).attempt()).isEqualTo(1);
    assertThat(calls.get(1).attempt()).isEqualTo(2);
    assertThat(calls.get(1).node()).isNotEqualTo(killed.id());
    assertThat(calls.get(1).token()).isGreaterThan(calls.get(0).token());
    restart(killed);

    // One attempt allowed: the run fails, and says which member was lost.
    String single = trigger(admin(), "single");
    Node lost = killCallerOfFirstCall("single");
    JsonNode failed =
        MemberJobs.awaitTerminal(reader(lost), "single", single, Duration.ofSeconds(60));
    assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("FAILED");
    String error = failed.get("tasks").get("call").get("error").asText();
    assertThat(error).startsWith("attempt lost: member " + lost.id() + " ");
    assertThat(target.calls("single")).hasSize(1);

    // Nothing more arrives for either run once it has ended.
    int total = target.all().size();
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> target.all().size() == total);
  }

  private String trigger(ApiClient api, String job) {
    ApiClient.Response r = api.post("/api/v1/jobs/" + job + "/trigger", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    return r.json().get("runId").asText();
  }

  /** Kills the process that made the job's first call, while the call is held. */
  private Node killCallerOfFirstCall(String job) {
    await().atMost(Duration.ofSeconds(30)).until(() -> !target.calls(job).isEmpty());
    Node caller = cluster.node(target.calls(job).get(0).node());
    caller.kill();
    System.out.printf(Locale.ROOT, "[member-killed] %s: killed %s mid-call%n", job, caller.id());
    return caller;
  }

  private void restart(Node node) throws Exception {
    node.start();
    node.awaitUp();
    cluster.awaitLeader(Duration.ofSeconds(60));
  }

  private ApiClient admin() {
    return cluster.awaitLeader(Duration.ofSeconds(60)).api(TestService.ADMIN);
  }

  /** A node other than {@code dead} that answers. */
  private ApiClient reader(Node dead) {
    return cluster.nodes().stream()
        .filter(n -> n != dead && n.clusterView() != null)
        .findFirst()
        .orElseThrow()
        .api(TestService.VIEWER);
  }
}
