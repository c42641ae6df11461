package dev.zkscheduler.store.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.zk.LeaderElection;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fenced multi whose answer is lost after it committed is sent again by the client; the second
 * send meets the first one's writes. These tests lose the answer deterministically, in the client:
 * the next multi is applied (or, for {@link Loss#UNSENT}, not even sent) and the caller is told
 * {@code CONNECTIONLOSS}, as when the connection drops between request and reply.
 */
class LostCommitReplyIT {

  private static final Instant T = Instant.parse("2026-12-01T14:00:00Z");

  private static TestingServer server;
  private static int namespaces;

  private final AtomicReference<Loss> nextMulti = new AtomicReference<>(Loss.NONE);

  /** Runs when a multi's answer is lost (or its send), before the client is told. */
  private volatile Runnable onLoss = () -> {};

  private CuratorFramework other;
  private CuratorFramework client;
  private LeaderElection election;
  private ZkSchedulerStore store;

  enum Loss {
    NONE,
    /** ZooKeeper commits the multi; its answer is lost. */
    ANSWER,
    /** The multi never reaches ZooKeeper. */
    UNSENT
  }

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
    client =
        CuratorFrameworkFactory.builder()
            .connectString(server.getConnectString())
            .namespace("lost-reply-" + namespaces++)
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(2_000)
            .retryPolicy(new RetryNTimes(3, 10))
            .zookeeperFactory(
                (connectString, sessionTimeout, watcher, readOnly) ->
                    new LossyZooKeeper(connectString, sessionTimeout, watcher, readOnly))
            .build();
    client.start();
    other = ZkClients.started(server.getConnectString(), "lost-reply-" + (namespaces - 1));
    ZkLayout layout = new ZkLayout();
    new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
    election = new LeaderElection(client, layout, "a", Clock.systemUTC(), null);
    election.start();
    store =
        new ZkSchedulerStore(
            client, layout, new FencedTransaction(client, layout, null), StoreLimits.DEFAULT, null);
  }

  @AfterEach
  void disconnect() {
    election.close();
    client.close();
    other.close();
  }

  @Test
  void aCreatedRunWhoseAnswerWasLostIsCommittedNotADuplicate() throws Exception {
    LeaderTerm term = term();
    Run run = run("j", "r1", term.epoch(), TaskState.RUNNING);
    ScheduleState state = new ScheduleState("j", T, T.plusSeconds(60), 0, 0L, List.of("r1"));

    nextMulti.set(Loss.ANSWER);
    CommitResult result =
        store.commit(
            term,
            List.of(
                new StoreOp.PutScheduleState(state, StoreOp.CREATE), new StoreOp.CreateRun(run)));

    assertThat(nextMulti.get()).as("the answer was lost").isEqualTo(Loss.NONE);
    assertThat(result).isEqualTo(CommitResult.COMMITTED);
    assertThat(store.run("j", "r1")).get().extracting(Versioned::version).isEqualTo(0);
    assertThat(store.activeRuns()).extracting(v -> v.value().id()).containsExactly("r1");
    assertThat(store.scheduleState("j")).get().extracting(Versioned::version).isEqualTo(0);
  }

  @Test
  void anUpdateWhoseAnswerWasLostIsCommittedAtTheNextVersion() throws Exception {
    LeaderTerm term = term();
    Run pending = run("j", "r1", term.epoch(), TaskState.PENDING);
    ScheduleState state = new ScheduleState("j", T, T.plusSeconds(60), 0);
    assertThat(
            store.commit(
                term,
                List.of(
                    new StoreOp.CreateRun(pending),
                    new StoreOp.PutScheduleState(state, StoreOp.CREATE))))
        .isEqualTo(CommitResult.COMMITTED);

    Run running = run("j", "r1", term.epoch(), TaskState.RUNNING);
    ScheduleState next = new ScheduleState("j", T.plusSeconds(60), T.plusSeconds(120), 0);
    nextMulti.set(Loss.ANSWER);
    CommitResult result =
        store.commit(
            term,
            List.of(new StoreOp.UpdateRun(running, 0), new StoreOp.PutScheduleState(next, 0)));

    assertThat(nextMulti.get()).as("the answer was lost").isEqualTo(Loss.NONE);
    assertThat(result).isEqualTo(CommitResult.COMMITTED);
    assertThat(store.run("j", "r1").map(v -> new Versioned<>(v.value(), v.version())))
        .contains(new Versioned<>(running, 1));
    assertThat(store.scheduleState("j").map(v -> new Versioned<>(v.value(), v.version())))
        .contains(new Versioned<>(next, 1));
  }

  @Test
  void batchesSentTogetherWhoseAnswersWereLostAreCommitted() throws Exception {
    LeaderTerm term = term();
    Run a = run("a", "r1", term.epoch(), TaskState.RUNNING);
    Run b = run("b", "r1", term.epoch(), TaskState.RUNNING);

    nextMulti.set(Loss.ANSWER);
    List<CommitResult> results =
        store.commitEach(
            term, List.of(List.of(new StoreOp.CreateRun(a)), List.of(new StoreOp.CreateRun(b))));

    assertThat(nextMulti.get()).as("an answer was lost").isEqualTo(Loss.NONE);
    assertThat(results).containsExactly(CommitResult.COMMITTED, CommitResult.COMMITTED);
    assertThat(store.run("a", "r1")).get().extracting(Versioned::version).isEqualTo(0);
    assertThat(store.run("b", "r1")).get().extracting(Versioned::version).isEqualTo(0);
  }

  @Test
  void aRunOfAnEarlierTermIsStillADuplicateEvenWithTheSameBytes() throws Exception {
    LeaderTerm term = term();
    Run run = run("j", "r1", term.epoch(), TaskState.RUNNING);
    // Written before this term took the epoch, byte for byte what the term is about to send.
    byte[] foreign = RunCodec.encode(run);
    client.create().creatingParentsIfNeeded().forPath("/runs/j/r1", foreign);
    LeaderTerm later = newTerm(term);

    nextMulti.set(Loss.UNSENT);
    CommitResult result = store.commit(later, List.of(new StoreOp.CreateRun(run)));

    assertThat(nextMulti.get()).as("the first send was lost").isEqualTo(Loss.NONE);
    assertThat(result.outcome()).isEqualTo(CommitResult.Outcome.EXISTED);
    assertThat(client.getData().forPath("/runs/j/r1")).isEqualTo(foreign);
  }

  /**
   * Another term is taken while the answer is lost (epoch writes by another session, from another
   * thread: the loss happens inside the client's own call).
   */
  private Runnable nextTermTaken(int terms) {
    return () -> {
      java.util.concurrent.CompletableFuture<Void> taken =
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < terms; i++) {
                    other.setData().forPath(new ZkLayout().epoch(), "b@later".getBytes(UTF_8));
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      taken.join();
    };
  }

  /**
   * The resend meets the next term's epoch: refused, but the first send had committed while this
   * term held the epoch, so the commit is COMMITTED, not fenced (which would say nothing was
   * written, and the next leader would count the started attempt lost).
   */
  @Test
  void aCommitWhoseResendMetTheNextTermIsCommitted() throws Exception {
    LeaderTerm term = term();
    Run run = run("j", "r1", term.epoch(), TaskState.RUNNING);
    ScheduleState state = new ScheduleState("j", T, T.plusSeconds(60), 0);
    onLoss = nextTermTaken(1);

    nextMulti.set(Loss.ANSWER);
    CommitResult result =
        store.commit(
            term,
            List.of(
                new StoreOp.PutScheduleState(state, StoreOp.CREATE), new StoreOp.CreateRun(run)));

    assertThat(result).isEqualTo(CommitResult.COMMITTED);
    assertThat(store.run("j", "r1")).get().extracting(Versioned::version).isEqualTo(0);
  }

  /** Sent once, never arrived, and the next term taken meanwhile: fenced, nothing written. */
  @Test
  void aCommitThatNeverArrivedAndMetTheNextTermIsFenced() throws Exception {
    assertThatThrownBy(() -> createRunMeetingLaterTerms(Loss.UNSENT, 1))
        .isInstanceOf(FencingException.class);
    assertThat(store.run("j", "r1")).isEmpty();
  }

  /**
   * Two terms taken meanwhile: another node may have led in between, and what it wrote cannot be
   * told from this term's lost send; the commit is fenced.
   */
  @Test
  void aCommitWhoseResendMetTwoLaterTermsIsFenced() throws Exception {
    assertThatThrownBy(() -> createRunMeetingLaterTerms(Loss.ANSWER, 2))
        .isInstanceOf(FencingException.class);
  }

  /** Creates run r1 of job j in the current term; {@code terms} are taken while it is lost. */
  private CommitResult createRunMeetingLaterTerms(Loss loss, int terms) throws Exception {
    LeaderTerm term = term();
    Run run = run("j", "r1", term.epoch(), TaskState.RUNNING);
    onLoss = nextTermTaken(terms);
    nextMulti.set(loss);
    return store.commit(term, List.of(new StoreOp.CreateRun(run)));
  }

  @Test
  void aRefusedUpdateWhoseFirstSendNeverArrivedIsStillAConflict() throws Exception {
    LeaderTerm term = term();
    Run pending = run("j", "r1", term.epoch(), TaskState.PENDING);
    store.commit(term, List.of(new StoreOp.CreateRun(pending)));
    Run running = run("j", "r1", term.epoch(), TaskState.RUNNING);
    store.commit(term, List.of(new StoreOp.UpdateRun(running, 0)));

    nextMulti.set(Loss.UNSENT);
    // Based on a version the run has left, with other data than the stored one.
    Run done = run("j", "r1", term.epoch(), TaskState.SUCCEEDED);
    CommitResult result = store.commit(term, List.of(new StoreOp.UpdateRun(done, 0)));

    assertThat(nextMulti.get()).as("the first send was lost").isEqualTo(Loss.NONE);
    assertThat(result.outcome()).isEqualTo(CommitResult.Outcome.CONFLICT);
    assertThat(store.run("j", "r1").map(v -> new Versioned<>(v.value(), v.version())))
        .contains(new Versioned<>(running, 1));
  }

  private LeaderTerm term() {
    await().atMost(Duration.ofSeconds(10)).until(() -> election.currentTerm().isPresent());
    return election.currentTerm().orElseThrow();
  }

  /** A later term of the same member: the election is left and joined again. */
  private LeaderTerm newTerm(LeaderTerm old) throws Exception {
    election.close();
    election = new LeaderElection(client, new ZkLayout(), "a", Clock.systemUTC(), null);
    election.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> election.currentTerm().map(t -> t.epoch() > old.epoch()).orElse(false));
    return election.currentTerm().orElseThrow();
  }

  private static Run run(String jobId, String runId, long epoch, TaskState task) {
    RunState state =
        task == TaskState.SUCCEEDED
            ? RunState.SUCCEEDED
            : task == TaskState.RUNNING ? RunState.RUNNING : RunState.PENDING;
    return new Run(
        runId,
        jobId,
        T,
        RunTrigger.SCHEDULE,
        state,
        T,
        null,
        state.isTerminal() ? T : null,
        epoch,
        Map.of(
            "t",
            new TaskRun(task, task == TaskState.PENDING ? 0 : 1, null, null, null, null, null)));
  }

  /** The lossy transport: acts on the next multi as {@link #nextMulti} says, once. */
  private final class LossyZooKeeper extends ZooKeeper {

    LossyZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean readOnly)
        throws java.io.IOException {
      super(connectString, sessionTimeout, watcher, readOnly);
    }

    @Override
    public List<OpResult> multi(Iterable<Op> ops) throws InterruptedException, KeeperException {
      Loss loss = nextMulti.getAndSet(Loss.NONE);
      if (loss == Loss.UNSENT) {
        onLoss.run();
        throw new KeeperException.ConnectionLossException();
      }
      List<OpResult> results = super.multi(ops);
      if (loss == Loss.ANSWER) {
        onLoss.run();
        throw new KeeperException.ConnectionLossException();
      }
      return results;
    }

    @Override
    public void multi(Iterable<Op> ops, AsyncCallback.MultiCallback cb, Object ctx) {
      Loss loss = nextMulti.getAndSet(Loss.NONE);
      int lost = KeeperException.Code.CONNECTIONLOSS.intValue();
      if (loss == Loss.UNSENT) {
        onLoss.run();
        cb.processResult(lost, null, ctx, null);
        return;
      }
      super.multi(
          ops,
          (rc, path, context, results) -> {
            if (loss == Loss.ANSWER) {
              onLoss.run();
            }
            cb.processResult(
                loss == Loss.ANSWER ? lost : rc,
                path,
                context,
                loss == Loss.ANSWER ? null : results);
          },
          ctx);
    }
  }
}
