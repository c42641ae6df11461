package dev.zkscheduler.store.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.zk.LeaderElection;
import dev.zkscheduler.cluster.zk.Terms;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.SchedulerStoreContract;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZkSchedulerStoreIT extends SchedulerStoreContract {

  private static TestingServer server;
  private static int namespaces;
  private CuratorFramework client;
  private LeaderElection election;
  private ZkSchedulerStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void connect() throws Exception {
    // A fresh namespace per test: a clean cluster without restarting the server.
    client = ZkClients.started(server.getConnectString(), "contract-" + namespaces++);
    ZkLayout layout = new ZkLayout();
    new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
    election = new LeaderElection(client, layout, "a", Clock.systemUTC(), null);
    election.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
    store =
        new ZkSchedulerStore(
            client, layout, new FencedTransaction(client, layout, null), StoreLimits.DEFAULT, null);
  }

  @AfterEach
  void disconnect() {
    election.close();
    client.close();
  }

  /**
   * A job's creation identity is the znode's czxid: kept by edits, new when the job is deleted and
   * created again (when its version starts over at 0), and the same through every read path.
   */
  @Test
  void aJobCreatedAgainHasANewCreationIdentity() throws Exception {
    JobDefinition job = JobDefinition.builder("j").task("t", "noop").build();
    Versioned<JobDefinition> first = store.createJob(job);
    Versioned<JobDefinition> edited = store.putJob(job.withPaused(true), OptionalInt.of(0));
    assertThat(store.deleteJob("j", OptionalInt.empty())).isTrue();
    Versioned<JobDefinition> again = store.putJob(job, OptionalInt.empty());

    long czxid = client.checkExists().forPath(new ZkLayout().job("j")).getCzxid();
    assertThat(first.created()).isNotZero();
    assertThat(edited.created()).isEqualTo(first.created());
    assertThat(again.version()).isZero();
    assertThat(again.created()).isEqualTo(czxid).isGreaterThan(first.created());
    assertThat(store.job("j").orElseThrow().created()).isEqualTo(czxid);
    assertThat(store.allJobs()).extracting(Versioned::created).containsExactly(czxid);
    assertThat(store.jobs(null, 10).jobs()).extracting(Versioned::created).containsExactly(czxid);
  }

  /**
   * A note of first states that cannot be read (empty, as a hand-made znode is, or not an instant)
   * reads as an unknown start, Instant.MAX: it used to stop every rebuild (empty) or stay forever.
   */
  @Test
  void aNoteOfFirstStatesThatCannotBeReadReadsAsAnUnknownStart() throws Exception {
    String note = new ZkLayout().firstStatesPending();
    client.create().forPath(note, null);
    assertThat(store.firstStatesPendingSince()).contains(java.time.Instant.MAX);

    client.setData().forPath(note, "yesterday".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(store.firstStatesPendingSince()).contains(java.time.Instant.MAX);

    assertThat(
            store.commit(
                election.currentTerm().orElseThrow(),
                java.util.List.of(new dev.zkscheduler.store.StoreOp.ClearFirstStatesPending())))
        .isEqualTo(dev.zkscheduler.store.CommitResult.COMMITTED);
    assertThat(store.firstStatesPendingSince()).isEmpty();
  }

  /** A store over this test's client whose metrics go to {@code registry}. */
  private ZkSchedulerStore countingInto(com.codahale.metrics.MetricRegistry registry) {
    ZkLayout layout = new ZkLayout();
    return new ZkSchedulerStore(
        client, layout, new FencedTransaction(client, layout, null), StoreLimits.DEFAULT, registry);
  }

  /**
   * One definition no node can read (a hand edit, a format from another version) is left out of
   * bulk reads and counted; it used to fail every listing and every new leader's rebuild.
   */
  @Test
  void anUnreadableDefinitionIsLeftOutOfBulkReadsAndCounted() throws Exception {
    com.codahale.metrics.MetricRegistry registry = new com.codahale.metrics.MetricRegistry();
    ZkLayout layout = new ZkLayout();
    ZkSchedulerStore counted = countingInto(registry);
    counted.createJob(job("a"));
    counted.createJob(job("c"));
    client.create().forPath(layout.job("b"), "{\"v\":1,\"id\":\"b\",\"tasks\":7}".getBytes(UTF_8));

    assertThat(counted.allJobs()).extracting(v -> v.value().id()).containsExactly("a", "c");
    assertThat(counted.jobs(null, 10).jobs())
        .extracting(v -> v.value().id())
        .containsExactly("a", "c");
    assertThat(counted.allJobIds()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(registry.counter(dev.zkscheduler.metrics.MetricNames.STORE_UNREADABLE).getCount())
        .isEqualTo(2);
  }

  /**
   * One run no node can read is left out of the active runs (every new leader reads them) and of
   * its job's listing, and counted; it used to fail every rebuild.
   */
  @Test
  void anUnreadableRunIsLeftOutOfTheActiveRunsAndCounted() throws Exception {
    com.codahale.metrics.MetricRegistry registry = new com.codahale.metrics.MetricRegistry();
    ZkLayout layout = new ZkLayout();
    ZkSchedulerStore counted = countingInto(registry);
    assertThat(
            counted.commit(
                term(),
                List.of(
                    new StoreOp.PutScheduleState(
                        new ScheduleState("j", null, null, 0, 0L, List.of("good", "bad")),
                        StoreOp.CREATE),
                    new StoreOp.CreateRun(run("j", "good", RunState.RUNNING)),
                    new StoreOp.CreateRun(run("j", "bad", RunState.RUNNING)))))
        .isEqualTo(CommitResult.COMMITTED);
    client.setData().forPath(layout.run("j", "bad"), "{\"v\":2,\"id\":7}".getBytes(UTF_8));

    assertThat(counted.activeRuns()).extracting(v -> v.value().id()).containsExactly("good");
    assertThat(counted.runs("j", 10)).extracting(v -> v.value().id()).containsExactly("good");
    assertThat(registry.counter(dev.zkscheduler.metrics.MetricNames.STORE_UNREADABLE).getCount())
        .isEqualTo(2);
  }

  @Test
  void runsOfManyJobsCreateTheirParentsInOneCommit() throws Exception {
    List<StoreOp> ops = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ops.add(
          new StoreOp.CreateRun(
              run(String.format(Locale.ROOT, "job-%03d", i), "r1", RunState.PENDING)));
    }
    assertThat(store.commit(term(), ops)).isEqualTo(CommitResult.COMMITTED);
    assertThat(client.getChildren().forPath("/runs")).hasSize(300);
    assertThat(store.run("job-299", "r1")).isPresent();
  }

  @Test
  void aRunsParentRemovedBehindTheStoresBackIsCreatedAgain() throws Exception {
    LeaderTerm term = term();
    store.commit(term, List.of(new StoreOp.CreateRun(run("j", "r1", RunState.SUCCEEDED))));
    // Another leader deleted the job and its records in the meantime.
    client.delete().deletingChildrenIfNeeded().forPath("/runs/j");

    CommitResult first =
        store.commit(term, List.of(new StoreOp.CreateRun(run("j", "r2", RunState.PENDING))));
    assertThat(first.outcome())
        .as("the store believed the parent existed")
        .isEqualTo(CommitResult.Outcome.CONFLICT);
    assertThat(store.commit(term, List.of(new StoreOp.CreateRun(run("j", "r2", RunState.PENDING)))))
        .as("the failed commit made the store check the parents again")
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store.run("j", "r2")).isPresent();
  }

  @Test
  void aJobCreatedAgainWhileItsRunsRemainKeepsItsParent() throws Exception {
    LeaderTerm term = term();
    ScheduleState state = new ScheduleState("j", T, T.plusSeconds(60), 0);
    store.commit(
        term,
        List.of(
            new StoreOp.CreateRun(run("j", "r1", RunState.SUCCEEDED)),
            new StoreOp.PutScheduleState(state, StoreOp.CREATE)));
    // Deleted and created again: its state is new in this term, but the parent still holds r1.
    store.commit(term, List.of(new StoreOp.DeleteScheduleState("j")));
    store.commit(term, List.of(new StoreOp.PutScheduleState(state, StoreOp.CREATE)));

    assertThat(store.commit(term, List.of(new StoreOp.CreateRun(run("j", "r2", RunState.PENDING)))))
        .isEqualTo(CommitResult.COMMITTED);
    assertThat(store.runIds("j")).containsExactly("r2", "r1");
  }

  @Test
  void aNewTermChecksTheRunsParentsAgain() throws Exception {
    LeaderTerm first = term();
    store.commit(first, List.of(new StoreOp.CreateRun(run("j", "r1", RunState.SUCCEEDED))));
    client.delete().deletingChildrenIfNeeded().forPath("/runs/j");
    LeaderTerm second = staleTermSuccessor(first);

    assertThat(
            store.commit(second, List.of(new StoreOp.CreateRun(run("j", "r2", RunState.PENDING)))))
        .isEqualTo(CommitResult.COMMITTED);
  }

  private LeaderTerm staleTermSuccessor(LeaderTerm old) {
    election.endTerm(old, "test: a new term");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> election.currentTerm().map(t -> t.epoch() > old.epoch()).orElse(false));
    return election.currentTerm().orElseThrow();
  }

  @Override
  protected SchedulerStore store() {
    return store;
  }

  @Override
  protected LeaderTerm term() {
    await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
    return election.currentTerm().orElseThrow();
  }

  @Override
  protected LeaderTerm staleTerm() {
    ZkLeaderTerm old = (ZkLeaderTerm) term();
    election.endTerm(old, "test: supersede the term");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> election.currentTerm().map(t -> t.epoch() > old.epoch()).orElse(false));
    return Terms.stillBelieved(old, election);
  }
}
