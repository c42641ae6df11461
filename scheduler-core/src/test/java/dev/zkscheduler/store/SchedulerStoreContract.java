package dev.zkscheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link SchedulerStore} must have. Run against the in-memory store
 * (InMemorySchedulerStoreTest) and ZooKeeper (ZkSchedulerStoreIT).
 */
public abstract class SchedulerStoreContract {

  protected static final Instant T = Instant.parse("2026-12-01T14:00:00Z");

  protected abstract SchedulerStore store();

  /** The current leader term. */
  protected abstract LeaderTerm term() throws Exception;

  /** A term its holder still believes in, superseded by a newer one. */
  protected abstract LeaderTerm staleTerm() throws Exception;

  protected static JobDefinition job(String id) {
    return JobDefinition.builder(id).task("t", "noop").build();
  }

  protected static Run run(String jobId, String runId, RunState state) {
    return new Run(
        runId,
        jobId,
        T,
        RunTrigger.SCHEDULE,
        state,
        T,
        null,
        state.isTerminal() ? T : null,
        1,
        Map.of(
            "t",
            new TaskRun(
                state.isTerminal() ? TaskState.SUCCEEDED : TaskState.PENDING,
                0,
                null,
                null,
                null,
                null,
                null)));
  }

  @Test
  void jobsAreCreatedOnceWithVersionZero() {
    assertThat(store().createJob(job("a")).version()).isZero();
    assertThat(store().job("a")).get().extracting(Versioned::version).isEqualTo(0);
    assertThatThrownBy(() -> store().createJob(job("a"))).isInstanceOf(JobExistsException.class);
    assertThat(store().job("missing")).isEmpty();
  }

  @Test
  void putIsOptimistic() {
    assertThat(store().putJob(job("a"), OptionalInt.empty()).version()).isZero();
    assertThat(store().putJob(job("a").withPaused(true), OptionalInt.empty()).version())
        .isEqualTo(1);
    assertThatThrownBy(() -> store().putJob(job("a"), OptionalInt.of(0)))
        .isInstanceOf(VersionConflictException.class);
    assertThat(store().putJob(job("a"), OptionalInt.of(1)).version()).isEqualTo(2);
    assertThat(store().job("a").orElseThrow().value().paused()).isFalse();
    assertThatThrownBy(() -> store().putJob(job("nope"), OptionalInt.of(0)))
        .isInstanceOf(VersionConflictException.class);
  }

  @Test
  void deleteIsOptimistic() {
    store().createJob(job("a"));
    assertThatThrownBy(() -> store().deleteJob("a", OptionalInt.of(3)))
        .isInstanceOf(VersionConflictException.class);
    assertThat(store().deleteJob("a", OptionalInt.of(0))).isTrue();
    assertThat(store().deleteJob("a", OptionalInt.empty())).isFalse();
  }

  @Test
  void jobsArePagedInIdOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(String.format("job-%02d", i));
    }
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, new Random(7));
    shuffled.forEach(id -> store().createJob(job(id)));

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JobPage page = store().jobs(after, 10);
      page.jobs().forEach(j -> seen.add(j.value().id()));
      after = page.next();
      pages++;
    } while (after != null);
    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(pages).isEqualTo(3);
    assertThat(store().jobs("job-22", 10).jobs())
        .extracting(v -> v.value().id())
        .containsExactly("job-23", "job-24");
    assertThat(store().allJobs()).hasSize(25);
  }

  @Test
  void aRunIsCreatedOnceAndADuplicateIsAnExpectedOutcome() throws Exception {
    LeaderTerm term = term();
    ScheduleState state = new ScheduleState("j", T, T.plusSeconds(60), 0);
    assertThat(
            store()
                .commit(
                    term,
                    List.of(
                        new StoreOp.CreateRun(run("j", "r1", RunState.PENDING)),
                        new StoreOp.PutScheduleState(state, StoreOp.CREATE))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().run("j", "r1"))
        .get()
        .extracting(v -> v.value().state())
        .isEqualTo(RunState.PENDING);
    assertThat(store().scheduleState("j")).get().extracting(Versioned::value).isEqualTo(state);

    CommitResult duplicate =
        store()
            .commit(
                term,
                List.of(
                    new StoreOp.CreateRun(run("j", "r2", RunState.PENDING)),
                    new StoreOp.CreateRun(run("j", "r1", RunState.PENDING))));
    assertThat(duplicate).isEqualTo(new CommitResult(CommitResult.Outcome.EXISTED, 1));
    assertThat(store().run("j", "r2")).as("a failed commit writes nothing").isEmpty();
  }

  @Test
  void batchesCommittedTogetherSucceedOrFailEachOnItsOwn() throws Exception {
    LeaderTerm term = term();
    store().commit(term, List.of(new StoreOp.CreateRun(run("b", "r1", RunState.PENDING))));
    List<List<StoreOp>> batches = new ArrayList<>();
    for (String job : List.of("a", "b", "c")) {
      batches.add(
          List.of(
              new StoreOp.CreateRun(run(job, "r2", RunState.PENDING)),
              new StoreOp.CreateRun(run(job, "r1", RunState.PENDING))));
    }
    List<CommitResult> results = store().commitEach(term, batches);

    assertThat(results)
        .containsExactly(
            CommitResult.COMMITTED,
            new CommitResult(CommitResult.Outcome.EXISTED, 1),
            CommitResult.COMMITTED);
    assertThat(store().run("a", "r2")).isPresent();
    assertThat(store().run("b", "r2")).as("the failed batch wrote nothing").isEmpty();
    assertThat(store().run("c", "r1")).isPresent();
  }

  @Test
  void batchesOfAStaleTermAreFencedAndWriteNothing() throws Exception {
    LeaderTerm stale = staleTerm();
    List<List<StoreOp>> batches =
        List.of(
            List.of(new StoreOp.CreateRun(run("a", "r1", RunState.PENDING))),
            List.of(new StoreOp.CreateRun(run("b", "r1", RunState.PENDING))));
    assertThatThrownBy(() -> store().commitEach(stale, batches))
        .isInstanceOf(FencingException.class);
    assertThat(store().run("a", "r1")).isEmpty();
    assertThat(store().run("b", "r1")).isEmpty();
  }

  /** The note of first states left unwritten: created, replaced, read back, removed twice. */
  @Test
  void theNoteOfFirstStatesLeftUnwrittenIsWrittenReplacedAndRemoved() throws Exception {
    LeaderTerm term = term();
    assertThat(store().firstStatesPendingSince()).isEmpty();

    assertThat(store().commit(term, List.of(new StoreOp.MarkFirstStatesPending(T))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().firstStatesPendingSince()).contains(T);
    assertThat(store().commit(term, List.of(new StoreOp.MarkFirstStatesPending(T.plusSeconds(5)))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().firstStatesPendingSince()).contains(T.plusSeconds(5));
    assertThat(store().allScheduleStates()).isEmpty();

    assertThat(store().commit(term, List.of(new StoreOp.ClearFirstStatesPending())))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().firstStatesPendingSince()).isEmpty();
    assertThat(store().commit(term, List.of(new StoreOp.ClearFirstStatesPending())))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().firstStatesPendingSince()).isEmpty();
  }

  @Test
  void allScheduleStatesReadsWhatEachJobsReadReads() throws Exception {
    LeaderTerm term = term();
    List<StoreOp> ops = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ops.add(
          new StoreOp.PutScheduleState(
              new ScheduleState("job-" + i, T, T.plusSeconds(i), i), StoreOp.CREATE));
    }
    assertThat(store().commit(term, ops)).isEqualTo(CommitResult.COMMITTED);
    java.util.Map<String, Versioned<ScheduleState>> all = store().allScheduleStates();
    assertThat(all).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(all.get("job-" + i)).isEqualTo(store().scheduleState("job-" + i).orElseThrow());
    }
  }

  @Test
  void updatesAreVersioned() throws Exception {
    LeaderTerm term = term();
    store().commit(term, List.of(new StoreOp.CreateRun(run("j", "r1", RunState.PENDING))));
    assertThat(
            store()
                .commit(term, List.of(new StoreOp.UpdateRun(run("j", "r1", RunState.RUNNING), 5)))
                .outcome())
        .isEqualTo(CommitResult.Outcome.CONFLICT);
    assertThat(
            store()
                .commit(term, List.of(new StoreOp.UpdateRun(run("j", "r1", RunState.RUNNING), 0))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().run("j", "r1").orElseThrow().version()).isEqualTo(1);
    ScheduleState s = new ScheduleState("j", T, null, 0);
    store().commit(term, List.of(new StoreOp.PutScheduleState(s, StoreOp.CREATE)));
    assertThat(
            store()
                .commit(term, List.of(new StoreOp.PutScheduleState(s, StoreOp.CREATE)))
                .outcome())
        .isEqualTo(CommitResult.Outcome.EXISTED);
    assertThat(store().commit(term, List.of(new StoreOp.PutScheduleState(s, 3))).outcome())
        .isEqualTo(CommitResult.Outcome.CONFLICT);
    assertThat(store().commit(term, List.of(new StoreOp.PutScheduleState(s, 0))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  /**
   * A new leader finds the runs in flight through the schedule states' lists: a run no list names
   * is not found (the leader lists every run it creates non-terminal), and a listed run that ended
   * or is gone is reported as ended, for the leader to drop.
   */
  @Test
  void activeRunsAreTheListedRunsNotYetEnded() throws Exception {
    LeaderTerm term = term();
    ScheduleState a = new ScheduleState("a", null, null, 0, 0L, List.of("r1"));
    ScheduleState b = new ScheduleState("b", null, null, 0, 0L, List.of("r1", "r2", "gone"));
    store()
        .commit(
            term,
            List.of(
                new StoreOp.PutScheduleState(a, StoreOp.CREATE),
                new StoreOp.CreateRun(run("a", "r1", RunState.PENDING)),
                new StoreOp.PutScheduleState(b, StoreOp.CREATE),
                new StoreOp.CreateRun(run("b", "r1", RunState.RUNNING)),
                new StoreOp.CreateRun(run("b", "r2", RunState.SKIPPED)),
                new StoreOp.CreateRun(run("c", "r1", RunState.RUNNING))));
    assertThat(store().activeRuns())
        .extracting(v -> v.value().jobId() + "/" + v.value().id())
        .containsExactlyInAnyOrder("a/r1", "b/r1");
    assertThat(store().listedRuns(store().allScheduleStates().values()).ended())
        .containsOnlyKeys("b")
        .containsEntry("b", java.util.Set.of("r2", "gone"));

    store().commit(term, List.of(new StoreOp.UpdateRun(run("a", "r1", RunState.SUCCEEDED), 0)));
    ListedRuns listed = store().listedRuns(store().allScheduleStates().values());
    assertThat(listed.active()).extracting(v -> v.value().jobId()).containsExactly("b");
    assertThat(listed.ended()).containsEntry("a", java.util.Set.of("r1"));
  }

  /**
   * A list naming something that cannot be a run (a hand-edited record) costs that one entry, not
   * every job's takeover: it is reported ended, for the leader to drop.
   */
  @Test
  void aListedIdThatIsNoRunNameIsReportedEnded() throws Exception {
    LeaderTerm term = term();
    ScheduleState j = new ScheduleState("j", null, null, 0, 0L, List.of("r1", "not/a run", ".."));
    store()
        .commit(
            term,
            List.of(
                new StoreOp.PutScheduleState(j, StoreOp.CREATE),
                new StoreOp.CreateRun(run("j", "r1", RunState.RUNNING))));
    ListedRuns listed = store().listedRuns(store().allScheduleStates().values());
    assertThat(listed.active()).extracting(v -> v.value().id()).containsExactly("r1");
    assertThat(listed.ended()).containsEntry("j", java.util.Set.of("not/a run", ".."));
  }

  @Test
  void runsAreListedNewestFirstAndPruned() throws Exception {
    LeaderTerm term = term();
    for (String id : List.of("20261201T140000Z", "20261201T140200Z", "20261201T140100Z")) {
      store().commit(term, List.of(new StoreOp.CreateRun(run("j", id, RunState.SUCCEEDED))));
    }
    assertThat(store().runs("j", 2))
        .extracting(v -> v.value().id())
        .containsExactly("20261201T140200Z", "20261201T140100Z");
    assertThat(store().runIds("j"))
        .containsExactly("20261201T140200Z", "20261201T140100Z", "20261201T140000Z");
    assertThat(store().runIds("unknown")).isEmpty();
    store().commit(term, List.of(new StoreOp.DeleteRun("j", "20261201T140000Z", 0)));
    assertThat(store().runs("j", 10)).hasSize(2);
    assertThat(store().runs("unknown", 10)).isEmpty();
  }

  /** G1: a stale term writes nothing, and says so with a FencingException. */
  @Test
  void aStaleTermIsFencedAndWritesNothing() throws Exception {
    LeaderTerm stale = staleTerm();
    assertThatThrownBy(
            () ->
                store()
                    .commit(
                        stale, List.of(new StoreOp.CreateRun(run("j", "r1", RunState.PENDING)))))
        .isInstanceOf(FencingException.class);
    assertThat(store().run("j", "r1")).isEmpty();
    assertThat(
            store()
                .commit(term(), List.of(new StoreOp.CreateRun(run("j", "r1", RunState.PENDING)))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  @Test
  void requestsAreQueuedAndConsumedIdempotently() throws Exception {
    store()
        .submitRequest(
            new ControlRequest(
                "q2",
                ControlRequest.Kind.CANCEL,
                "j",
                List.of("r1"),
                List.of(),
                T.plusSeconds(1),
                "n1"));
    store()
        .submitRequest(
            new ControlRequest(
                "q1", ControlRequest.Kind.TRIGGER, "j", List.of("m-1"), List.of(T), T, "n2"));
    store()
        .submitRequest(
            new ControlRequest(
                "q1", ControlRequest.Kind.TRIGGER, "j", List.of("m-1"), List.of(T), T, "n2"));
    assertThat(store().pendingRequests())
        .extracting(ControlRequest::id)
        .containsExactly("q1", "q2");
    LeaderTerm term = term();
    assertThat(
            store()
                .commit(
                    term,
                    List.of(
                        new StoreOp.DeleteRequest("q1"),
                        new StoreOp.CreateRun(run("j", "m-1", RunState.PENDING)))))
        .isEqualTo(CommitResult.COMMITTED);
    // Consuming it again (a retried commit) creates nothing twice and is not an error.
    assertThat(store().commit(term, List.of(new StoreOp.DeleteRequest("q1"))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store().pendingRequests()).extracting(ControlRequest::id).containsExactly("q2");
  }

  @Test
  void oversizedRecordsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Run huge =
        new Run(
            "r-big",
            "j",
            T,
            RunTrigger.MANUAL,
            RunState.FAILED,
            T,
            T,
            T,
            1,
            Map.of("t", new TaskRun(TaskState.FAILED, 1, T, T, null, "n", "x".repeat(300_000))));
    assertThatThrownBy(
            () ->
                store()
                    .commit(
                        term(),
                        List.of(
                            new StoreOp.CreateRun(run("j", "r-ok", RunState.PENDING)),
                            new StoreOp.CreateRun(huge))))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("over the limit");
    assertThat(store().run("j", "r-ok")).isEmpty();
  }
}
