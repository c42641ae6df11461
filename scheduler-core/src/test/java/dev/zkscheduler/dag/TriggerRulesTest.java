package dev.zkscheduler.dag;

import static dev.zkscheduler.dag.TaskState.CANCELLED;
import static dev.zkscheduler.dag.TaskState.FAILED;
import static dev.zkscheduler.dag.TaskState.PENDING;
import static dev.zkscheduler.dag.TaskState.RUNNING;
import static dev.zkscheduler.dag.TaskState.SKIPPED;
import static dev.zkscheduler.dag.TaskState.SUCCEEDED;
import static dev.zkscheduler.dag.TaskState.TIMED_OUT;
import static dev.zkscheduler.dag.TaskState.UPSTREAM_FAILED;
import static dev.zkscheduler.dag.TriggerDecision.READY;
import static dev.zkscheduler.dag.TriggerDecision.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerRulesTest {

  private static TriggerDecision decide(TriggerRule rule, TaskState... upstream) {
    return TriggerRules.decide(rule, List.of(upstream));
  }

  @Test
  void noUpstreamIsAlwaysReady() {
    for (TriggerRule rule : TriggerRule.values()) {
      assertThat(decide(rule)).isEqualTo(READY);
    }
  }

  @Test
  void allSuccess() {
    assertThat(decide(TriggerRule.ALL_SUCCESS, SUCCEEDED, SUCCEEDED)).isEqualTo(READY);
    assertThat(decide(TriggerRule.ALL_SUCCESS, SUCCEEDED, RUNNING)).isEqualTo(WAIT);
    assertThat(decide(TriggerRule.ALL_SUCCESS, FAILED, RUNNING))
        .isEqualTo(TriggerDecision.UPSTREAM_FAILED);
    assertThat(decide(TriggerRule.ALL_SUCCESS, TIMED_OUT))
        .isEqualTo(TriggerDecision.UPSTREAM_FAILED);
    assertThat(decide(TriggerRule.ALL_SUCCESS, UPSTREAM_FAILED))
        .isEqualTo(TriggerDecision.UPSTREAM_FAILED);
    assertThat(decide(TriggerRule.ALL_SUCCESS, SKIPPED, SUCCEEDED))
        .isEqualTo(TriggerDecision.SKIPPED);
    assertThat(decide(TriggerRule.ALL_SUCCESS, CANCELLED)).isEqualTo(TriggerDecision.SKIPPED);
  }

  @Test
  void allDone() {
    assertThat(decide(TriggerRule.ALL_DONE, FAILED, SUCCEEDED, SKIPPED)).isEqualTo(READY);
    assertThat(decide(TriggerRule.ALL_DONE, FAILED, PENDING)).isEqualTo(WAIT);
    assertThat(decide(TriggerRule.ALL_DONE, TaskState.RETRY_WAIT)).isEqualTo(WAIT);
  }

  @Test
  void oneFailed() {
    assertThat(decide(TriggerRule.ONE_FAILED, FAILED, RUNNING)).isEqualTo(READY);
    assertThat(decide(TriggerRule.ONE_FAILED, SUCCEEDED, RUNNING)).isEqualTo(WAIT);
    assertThat(decide(TriggerRule.ONE_FAILED, SUCCEEDED, SUCCEEDED))
        .isEqualTo(TriggerDecision.SKIPPED);
  }

  @Test
  void oneSuccess() {
    assertThat(decide(TriggerRule.ONE_SUCCESS, FAILED, SUCCEEDED)).isEqualTo(READY);
    assertThat(decide(TriggerRule.ONE_SUCCESS, FAILED, RUNNING)).isEqualTo(WAIT);
    assertThat(decide(TriggerRule.ONE_SUCCESS, FAILED, SKIPPED))
        .isEqualTo(TriggerDecision.UPSTREAM_FAILED);
  }
}
