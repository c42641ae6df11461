package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControlRequestsTest {

  private static final Instant T0 = TermFixture.T0;

  private TermFixture f = new TermFixture();
  private ControlRequests requests = requests();

  private ControlRequests requests() {
    return new ControlRequests(f.state, new RunCreation(f.state, f.attempts));
  }

  @AfterEach
  void close() {
    f.close();
  }

  private static ControlRequest request(
      String id, ControlRequest.Kind kind, String jobId, List<String> runIds, List<Instant> at) {
    return new ControlRequest(id, kind, jobId, runIds, at, T0, "node-2");
  }

  private static boolean deletes(StoreOp op, String requestId) {
    return op instanceof StoreOp.DeleteRequest d && d.requestId().equals(requestId);
  }

  @Test
  void aTriggerCreatesTheRunWithItsTaskStartedAndDeletesTheRequestInTheSameWrite() {
    f.load(TermFixture.manualJob("j"));
    f.store.submitRequest(
        request("req-1", ControlRequest.Kind.TRIGGER, "j", List.of("m1"), List.of()));

    requests.consume();

    Run run = f.stored("j", "m1");
    assertThat(run.trigger()).isEqualTo(RunTrigger.MANUAL);
    assertThat(run.nominalTime()).isEqualTo(T0);
    assertThat(run.tasks().get("t").state()).isEqualTo(TaskState.RUNNING);
    assertThat(f.runner.isRunning(TermFixture.key("j", "m1", "t", 1))).isTrue();
    assertThat(f.store.pendingRequests()).isEmpty();
    int created =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.CreateRun c && c.run().id().equals("m1"));
    assertThat(f.store.firstCommitWith(op -> deletes(op, "req-1"))).isEqualTo(created);
  }

  /** A backfill larger than one multi: the request goes with the last chunk, never earlier. */
  @Test
  void aLargeBackfillDeletesItsRequestWithTheLastChunk() {
    f.close();
    f = new TermFixture(EngineSettings.DEFAULT.withMaxFiresPerCommit(2));
    requests = requests();
    f.load(TermFixture.manualJob("j"));
    List<Instant> nominal = List.of(T0, T0.plusSeconds(60), T0.plusSeconds(120));
    List<String> ids = nominal.stream().map(RunIds::scheduled).toList();
    f.store.submitRequest(request("bf", ControlRequest.Kind.BACKFILL, "j", ids, nominal));

    requests.consume();

    List<List<StoreOp>> writes = f.store.committed();
    List<StoreOp> last = writes.get(writes.size() - 1);
    assertThat(writes.subList(0, writes.size() - 1))
        .noneMatch(ops -> ops.stream().anyMatch(op -> deletes(op, "bf")));
    assertThat(last).anyMatch(op -> deletes(op, "bf"));
    assertThat(last).filteredOn(StoreOp.CreateRun.class::isInstance).hasSize(1);
    assertThat(ids).allMatch(id -> f.stored("j", id).trigger() == RunTrigger.BACKFILL);
    assertThat(f.runner.running()).isEqualTo(3);
  }

  /** A cancellation is written before its request is deleted: a new leader redoes, not loses. */
  @Test
  void aCancelIsWrittenBeforeItsRequestIsDeleted() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    f.startedRun(job, "r");
    f.store.submitRequest(request("c1", ControlRequest.Kind.CANCEL, "j", List.of("r"), List.of()));

    requests.consume();

    assertThat(f.stored("j", "r").state()).isEqualTo(RunState.CANCELLED);
    assertThat(f.runner.isRunning(TermFixture.key("j", "r", "t", 1))).isFalse();
    int cancelled =
        f.store.firstCommitWith(
            op -> op instanceof StoreOp.UpdateRun u && u.run().state() == RunState.CANCELLED);
    int deleted = f.store.firstCommitWith(op -> deletes(op, "c1"));
    assertThat(cancelled).isNotNegative().isLessThan(deleted);
    assertThat(f.store.pendingRequests()).isEmpty();
  }

  @Test
  void aRequestForAJobThatDoesNotExistIsDroppedVisibly() {
    f.store.submitRequest(
        request("req-x", ControlRequest.Kind.TRIGGER, "nope", List.of("m1"), List.of()));

    requests.consume();

    assertThat(f.store.pendingRequests()).isEmpty();
    assertThat(f.store.committed()).containsExactly(List.of(new StoreOp.DeleteRequest("req-x")));
    assertThat(f.memory.run("nope", "m1")).isEmpty();
    assertThat(f.registry.counter(MetricNames.REQUESTS_DROPPED).getCount()).isEqualTo(1);
  }

  /** A definition that never reaches the leader does not hold a request slot forever. */
  @Test
  void aRequestWaitsForItsDefinitionOnlyForALimitedTime() {
    f.store.createJob(TermFixture.manualJob("never"));
    f.store.submitRequest(
        request("req-n", ControlRequest.Kind.TRIGGER, "never", List.of("m1"), List.of()));

    requests.consume();
    assertThat(f.store.pendingRequests()).extracting(ControlRequest::id).containsExactly("req-n");

    f.clock.advance(ControlRequests.MAX_WAIT);
    requests.consume();

    assertThat(f.store.pendingRequests()).isEmpty();
    assertThat(f.memory.run("never", "m1")).isEmpty();
    assertThat(f.registry.counter(MetricNames.REQUESTS_DROPPED).getCount()).isEqualTo(1);
  }

  /**
   * A job created on another node whose definition has not reached this leader's view yet: its
   * request waits, and is carried out once the definition arrives. It used to be dropped, although
   * the API had answered 202 with its run ids.
   */
  @Test
  void aRequestForAJobTheLeaderHasNotSeenYetWaitsForTheDefinition() {
    Versioned<JobDefinition> created = f.store.createJob(TermFixture.manualJob("late"));
    f.store.submitRequest(
        request("req-l", ControlRequest.Kind.TRIGGER, "late", List.of("m1"), List.of()));

    requests.consume();

    assertThat(f.store.committed()).isEmpty();
    assertThat(f.store.pendingRequests()).extracting(ControlRequest::id).containsExactly("req-l");
    assertThat(f.registry.counter(MetricNames.REQUESTS_DROPPED).getCount()).isZero();

    new DefinitionSync(f.state).load(List.of(created), Map.of(), f.clock.instant());
    requests.consume();

    assertThat(f.store.pendingRequests()).isEmpty();
    assertThat(f.memory.run("late", "m1")).isPresent();
  }

  /**
   * A backfill over the job's room under the cap creates the runs that fit, drops the others
   * (counted) and is deleted: it used to be carried out whole, whatever the list's size.
   */
  @Test
  void aBackfillOverTheInFlightCapCreatesWhatFitsAndIsDeleted() {
    JobEntry entry = f.load(TermFixture.manualJob("j")).get(0);
    f.listInFlight(entry, "waiting", InFlightLists.MAX_RUNS_IN_FLIGHT - 2);
    List<Instant> nominal = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nominal.add(T0.minusSeconds(60L * (5 - i)));
    }
    List<String> ids = nominal.stream().map(RunIds::scheduled).toList();
    f.store.submitRequest(request("bf", ControlRequest.Kind.BACKFILL, "j", ids, nominal));

    requests.consume();

    assertThat(f.memory.run("j", ids.get(0))).isPresent();
    assertThat(f.memory.run("j", ids.get(1))).isPresent();
    for (String id : ids.subList(2, 5)) {
      assertThat(f.memory.run("j", id)).as(id).isEmpty();
    }
    assertThat(f.store.pendingRequests()).isEmpty();
    assertThat(f.registry.counter(MetricNames.RUNS_OVER_INFLIGHT_CAP).getCount()).isEqualTo(3);
    assertThat(f.memory.scheduleState("j").orElseThrow().value().activeRunIds())
        .hasSize(InFlightLists.MAX_RUNS_IN_FLIGHT);
  }

  /** A trigger of a job at the cap creates nothing and is deleted, never retried. */
  @Test
  void aTriggerOfAJobAtTheInFlightCapIsDroppedAndDeleted() {
    JobEntry entry = f.load(TermFixture.manualJob("j")).get(0);
    f.listInFlight(entry, "waiting", InFlightLists.MAX_RUNS_IN_FLIGHT);
    f.store.submitRequest(
        request("req-1", ControlRequest.Kind.TRIGGER, "j", List.of("m1"), List.of()));

    requests.consume();

    assertThat(f.memory.run("j", "m1")).isEmpty();
    assertThat(f.store.pendingRequests()).isEmpty();
    assertThat(f.registry.counter(MetricNames.RUNS_OVER_INFLIGHT_CAP).getCount()).isEqualTo(1);
  }

  /**
   * A trigger whose run is too large to store is deleted: it used to stay, and be tried (and
   * re-encoded) on every tick.
   */
  @Test
  void aTriggerWhoseRunIsTooLargeToStoreIsDeleted() {
    f.close();
    f =
        new TermFixture(
            EngineSettings.DEFAULT, new dev.zkscheduler.store.StoreLimits(8192, 16384, 100));
    requests = requests();
    f.load(
        JobDefinition.builder("huge")
            .task(
                new dev.zkscheduler.job.TaskDefinition(
                    "t",
                    "block",
                    java.util.Map.of("payload", "x".repeat(9000)),
                    List.of(),
                    null,
                    null,
                    null))
            .build());
    f.store.submitRequest(
        request("req-1", ControlRequest.Kind.TRIGGER, "huge", List.of("m1"), List.of()));

    requests.consume();

    assertThat(f.memory.run("huge", "m1")).isEmpty();
    assertThat(f.store.pendingRequests()).isEmpty();
  }
}
