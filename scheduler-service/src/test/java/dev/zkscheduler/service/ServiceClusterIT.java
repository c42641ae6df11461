package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.Ledger;
import dev.zkscheduler.service.support.TestService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three service nodes on one 3-server {@link TestingCluster}: calls made through followers reach
 * the leader through ZooKeeper and are carried out once, by the leader.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceClusterIT {

  private static TestingCluster zk;
  private static Ledger ledger;
  private static final List<TestService> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    zk = new TestingCluster(3);
    zk.start();
    ledger = new Ledger();
    for (int i = 1; i <= 3; i++) {
      nodes.add(TestService.external("node-" + i, zk.getConnectString()).start());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestService node : nodes) {
      node.close();
    }
    ledger.close();
    zk.close();
  }

  /** Waits until every running node names the same leader, and returns it. */
  private static TestService awaitOneLeader() {
    String[] leader = new String[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              List<JsonNode> views = new ArrayList<>();
              for (TestService node : nodes) {
                if (node.running()) {
                  views.add(node.api(TestService.VIEWER).get("/api/v1/cluster").json());
                }
              }
              long selfLeaders =
                  views.stream().filter(v -> v.get("self").get("leader").asBoolean()).count();
              List<String> named =
                  views.stream().map(v -> v.get("leader").asText()).distinct().toList();
              if (selfLeaders == 1 && named.size() == 1) {
                leader[0] = named.get(0);
                return true;
              }
              return false;
            });
    return nodes.stream().filter(n -> n.instanceId().equals(leader[0])).findFirst().orElseThrow();
  }

  private static TestService follower(TestService leader, int which) {
    return nodes.stream()
        .filter(n -> n != leader && n.running())
        .skip(which)
        .findFirst()
        .orElseThrow();
  }

  private static JsonNode awaitRun(ApiClient api, String job, String runId, String state) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              last[0] = api.get("/api/v1/jobs/" + job + "/runs/" + runId).json();
              assertThat(last[0]).isNotNull();
              assertThat(last[0].get("state").asText()).isEqualTo(state);
            });
    return last[0];
  }

  @Test
  @Order(1)
  void jobsCreatedAndTriggeredThroughFollowersRunOnceOnAMember() {
    TestService leader = awaitOneLeader();
    ApiClient viaFollower = follower(leader, 0).api(TestService.ADMIN);
    String body =
        "{\"id\":\"every-second\",\"schedule\":{\"interval\":\"PT1S\"},\"tasks\":[{\"id\":\"call\","
            + "\"type\":\"http\",\"config\":{\"url\":\""
            + ledger.url("/every-second")
            + "\"}}]}";
    assertThat(viaFollower.post("/api/v1/jobs", body).status()).isEqualTo(201);
    // Every node serves the job at once: they all read ZooKeeper.
    for (TestService node : nodes.stream().filter(TestService::running).toList()) {
      assertThat(node.api(TestService.VIEWER).get("/api/v1/jobs/every-second").status())
          .isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> ledger.entries("every-second").size() >= 4);

    String runId =
        follower(leader, 1)
            .api(TestService.OPERATOR)
            .post("/api/v1/jobs/every-second/trigger", null)
            .json()
            .get("runId")
            .asText();
    JsonNode run = awaitRun(viaFollower, "every-second", runId, "SUCCEEDED");
    assertThat(run.get("trigger").asText()).isEqualTo("MANUAL");
    JsonNode call = run.get("tasks").get("call");
    assertThat(call.get("node").asText())
        .isIn(nodes.stream().filter(TestService::running).map(TestService::instanceId).toList());
    assertThat(call.get("worker").asText()).startsWith(call.get("node").asText() + "~");

    assertThat(viaFollower.delete("/api/v1/jobs/every-second").status()).isEqualTo(204);
    List<Ledger.Entry> calls = ledger.entries("every-second");
    Map<String, Long> perRun =
        calls.stream().collect(Collectors.groupingBy(Ledger.Entry::run, Collectors.counting()));
    assertThat(perRun).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
    assertThat(perRun).containsKey(runId);
    // Each attempt carries its own assignment's token: no two runs share one.
    Map<Long, Long> tokens = new HashMap<>();
    calls.forEach(c -> tokens.merge(c.fencingToken(), 1L, Long::sum));
    assertThat(tokens)
        .hasSize(calls.size())
        .allSatisfy((token, n) -> assertThat(token).isPositive());
  }

  @Test
  @Order(2)
  void cancelSentToAFollowerStopsTheRunOnTheLeader() {
    TestService leader = awaitOneLeader();
    ledger.delay("/hang", 60_000);
    ApiClient admin = follower(leader, 0).api(TestService.ADMIN);
    String body =
        "{\"id\":\"hang\",\"tasks\":[{\"id\":\"wait\",\"type\":\"http\",\"config\":{\"url\":\""
            + ledger.url("/hang")
            + "\"}}]}";
    assertThat(admin.post("/api/v1/jobs", body).status()).isEqualTo(201);
    String runId = admin.post("/api/v1/jobs/hang/trigger", null).json().get("runId").asText();
    awaitRun(admin, "hang", runId, "RUNNING");
    ApiClient other = follower(leader, 1).api(TestService.OPERATOR);
    assertThat(other.post("/api/v1/jobs/hang/runs/" + runId + "/cancel", null).status())
        .isEqualTo(202);
    JsonNode run = awaitRun(other, "hang", runId, "CANCELLED");
    assertThat(run.get("tasks").get("wait").get("state").asText()).isEqualTo("CANCELLED");
  }

  @Test
  @Order(3)
  void gracefulStopOfTheLeaderHandsOverWithoutWaitingForTheSessionTimeout() {
    TestService leader = awaitOneLeader();
    long epoch = leader.api(TestService.VIEWER).get("/api/v1/cluster").json().get("epoch").asLong();
    leader.stop();
    // The session timeout is 4 s; a released latch passes leadership well within it.
    await()
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                nodes.stream()
                    .filter(TestService::running)
                    .anyMatch(
                        n ->
                            n.api(TestService.VIEWER)
                                .get("/api/v1/cluster")
                                .json()
                                .get("self")
                                .get("leader")
                                .asBoolean()));
    TestService next = awaitOneLeader();
    assertThat(next).isNotSameAs(leader);
    assertThat(next.api(TestService.VIEWER).get("/api/v1/cluster").json().get("epoch").asLong())
        .isGreaterThan(epoch);
  }
}
