package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.zk.ZkLayout;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.jute.Record;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way scheduler state is written (docs/design.md, "Fenced writes"): a ZooKeeper multi-op of
 * {@code check(latch node of the term)} + {@code check(epoch znode, version = the term's token)} +
 * the caller's ops. ZooKeeper applies all or nothing, and refuses all when the writer's session
 * died (its ephemeral latch node is gone) or a newer term took the epoch — whatever the writer
 * believes.
 *
 * <p>Outcomes: {@link CommitResult#COMMITTED}; {@code EXISTED}/{@code CONFLICT} when one of the
 * caller's ops failed its precondition (a normal answer, nothing written — unless the refusal met
 * the writes of an earlier send of the same multi whose answer was lost: then the multi is {@code
 * COMMITTED}, see {@link #appliedInTerm}); {@link FencingException} when the term is over (the term
 * is ended, the refusal counted and logged); {@link StoreUnavailableException} when ZooKeeper could
 * not be reached. Thread-safe.
 */
public final class FencedTransaction {

  private static final Logger log = LoggerFactory.getLogger(FencedTransaction.class);

  /** Answers after which the multi may or may not have committed: it is sent again. */
  private static final EnumSet<KeeperException.Code> UNKNOWN_OUTCOME =
      EnumSet.of(
          KeeperException.Code.CONNECTIONLOSS,
          KeeperException.Code.OPERATIONTIMEOUT,
          KeeperException.Code.REQUESTTIMEOUT);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final Counter rejections;
  private final Counter conflicts;
  private final Timer commits;
  private final Counter opsSent;
  private final Counter fenceChecksSent;
  private volatile Runnable beforeSubmit = () -> {};

  public FencedTransaction(CuratorFramework client, ZkLayout layout, MetricRegistry registry) {
    this.client = client;
    this.layout = layout;
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    this.rejections = metrics.counter(MetricNames.FENCING_REJECTIONS);
    this.conflicts = metrics.counter(MetricNames.STORE_CONFLICTS);
    this.commits = metrics.timer(MetricNames.STORE_COMMITS);
    this.opsSent = metrics.counter(MetricNames.STORE_COMMIT_OPS);
    this.fenceChecksSent = metrics.counter(MetricNames.STORE_COMMIT_FENCE_CHECKS);
  }

  /**
   * Commits {@code ops} under {@code term}.
   *
   * @throws FencingException if the term is not current locally, or ZooKeeper refused its checks
   * @throws StoreUnavailableException if ZooKeeper could not be reached
   * @throws IllegalArgumentException if {@code term} is not a ZooKeeper term
   */
  public CommitResult commit(LeaderTerm term, List<CuratorOp> ops) {
    ZkLeaderTerm zkTerm = current(term);
    beforeSubmit.run();
    try {
      return send(zkTerm, multi(zkTerm, ops), false);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreUnavailableException("fenced commit failed: " + e, e);
    }
  }

  /**
   * Sends {@code multi} in a retry loop that counts its sends, so that a refusal can be told apart
   * from the echo of an earlier send whose answer was lost; {@code sentBefore} when a send outside
   * this loop already got no answer.
   */
  private CommitResult send(ZkLeaderTerm term, List<Op> multi, boolean sentBefore)
      throws Exception {
    AtomicInteger sends = new AtomicInteger(sentBefore ? 1 : 0);
    try (Timer.Context ignored = commits.time()) {
      RetryLoop.callWithRetry(
          client.getZookeeperClient(),
          () -> {
            sends.incrementAndGet();
            counted(multi);
            return client.getZookeeperClient().getZooKeeper().multi(multi);
          });
      return CommitResult.COMMITTED;
    } catch (KeeperException e) {
      return settled(term, multi, e.code(), errorCodes(e.getResults()), sends.get() > 1, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during a fenced commit; outcome unknown", e);
    }
  }

  /** Counts the ops of one send of {@code multi}: its two fence checks apart from the rest. */
  private void counted(List<Op> multi) {
    fenceChecksSent.inc(2);
    opsSent.inc(multi.size() - 2);
  }

  /**
   * Sends {@code batches} as fenced multis without waiting between them, at most {@code inFlight}
   * outstanding, so that ZooKeeper can write them to its log together instead of one log sync each;
   * then waits for every answer. Batches are independent: each commits or fails on its own.
   * ZooKeeper answers one session's requests in order.
   *
   * @return one result per batch, in order
   * @throws FencingException if any batch was refused for the term (others may have committed
   *     earlier in the same term, which is fine: they were written while it was current)
   * @throws StoreUnavailableException if ZooKeeper could not be reached, or no answer came for
   *     {@code timeoutMillis}
   */
  public List<CommitResult> commitEach(
      LeaderTerm term, List<List<CuratorOp>> batches, int inFlight, long timeoutMillis) {
    ZkLeaderTerm zkTerm = current(term);
    beforeSubmit.run();
    List<List<Op>> multis = new ArrayList<>(batches.size());
    List<CompletableFuture<CommitResult>> answers = new ArrayList<>(batches.size());
    Semaphore slots = new Semaphore(inFlight);
    try {
      for (List<CuratorOp> batch : batches) {
        List<Op> multi = multi(zkTerm, batch);
        multis.add(multi);
        CompletableFuture<CommitResult> answer = new CompletableFuture<>();
        answers.add(answer);
        if (!slots.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
          throw new StoreUnavailableException("fenced commits were not answered in time", null);
        }
        Timer.Context timing = commits.time();
        counted(multi);
        // Sent without the client's retries: a multi whose answer is lost is sent again below, by
        // send(), which then knows that the first send may have committed.
        client
            .getZookeeperClient()
            .getZooKeeper()
            .multi(
                multi,
                (rc, path, ctx, results) -> {
                  timing.stop();
                  slots.release();
                  KeeperException.Code code = KeeperException.Code.get(rc);
                  try {
                    answer.complete(
                        code == KeeperException.Code.OK
                            ? CommitResult.COMMITTED
                            : UNKNOWN_OUTCOME.contains(code)
                                ? null
                                : settled(zkTerm, multi, code, errorCodes(results), false, null));
                  } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                  }
                },
                null);
      }
      List<CommitResult> results = new ArrayList<>(answers.size());
      for (int i = 0; i < answers.size(); i++) {
        // ZooKeeper answers in order: each answer gets the full wait, so a long queue is not cut
        // short, while a connection that stopped answering is given up on after timeoutMillis.
        CommitResult result = answers.get(i).get(timeoutMillis, TimeUnit.MILLISECONDS);
        results.add(result != null ? result : send(zkTerm, multis.get(i), true));
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new StoreUnavailableException("fenced commit failed: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "fenced commits were not answered in time; outcome unknown", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during fenced commits; outcome unknown", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreUnavailableException("fenced commits failed: " + e, e);
    }
  }

  private ZkLeaderTerm current(LeaderTerm term) {
    if (!(term instanceof ZkLeaderTerm zkTerm)) {
      throw new IllegalArgumentException("not a ZooKeeper leader term: " + term);
    }
    if (!zkTerm.isCurrent()) {
      // Cheap early exit; never the only check — ZooKeeper checks again in the multi.
      throw fenced(zkTerm, "the term ended before the write");
    }
    return zkTerm;
  }

  /** The fenced multi of {@code ops}, as ZooKeeper ops (their paths in the client's namespace). */
  private List<Op> multi(ZkLeaderTerm term, List<CuratorOp> ops) throws Exception {
    List<Op> all = new ArrayList<>(ops.size() + 2);
    all.add(client.transactionOp().check().forPath(term.latchPath()).get());
    all.add(
        client
            .transactionOp()
            .check()
            .withVersion(term.epochVersion())
            .forPath(layout.epoch())
            .get());
    ops.forEach(op -> all.add(op.get()));
    return all;
  }

  /** The error code of each op of a failed multi (0 for an op that would have succeeded). */
  private static List<Integer> errorCodes(List<OpResult> results) {
    if (results == null) {
      return null;
    }
    List<Integer> codes = new ArrayList<>(results.size());
    for (OpResult result : results) {
      codes.add(result instanceof OpResult.ErrorResult error ? error.getErr() : 0);
    }
    return codes;
  }

  /**
   * The outcome of a multi ZooKeeper refused. When an earlier send of it may have committed ({@code
   * sentBefore}: its answer was lost and the client sent it again), the refusal can be that send's
   * own work: see {@link #appliedInTerm}.
   */
  private CommitResult settled(
      ZkLeaderTerm term,
      List<Op> multi,
      KeeperException.Code failure,
      List<Integer> results,
      boolean sentBefore,
      Exception cause) {
    if (results == null || results.isEmpty()) {
      if (failure == KeeperException.Code.SESSIONEXPIRED) {
        throw fenced(term, "the session expired");
      }
      throw new StoreUnavailableException(
          "fenced commit failed (" + failure + "); outcome unknown", cause);
    }
    for (int i = 0; i < results.size(); i++) {
      KeeperException.Code code = KeeperException.Code.get(results.get(i));
      if (code == KeeperException.Code.OK || code == KeeperException.Code.RUNTIMEINCONSISTENCY) {
        continue;
      }
      if (i == 1 && sentBefore && appliedInTerm(term, multi)) {
        // The resend met the next term's epoch, but the first send had committed in this term.
        log.info(
            "{}: a fenced commit sent again after a lost answer met the next term, and its first"
                + " send had committed in term {}",
            term.memberId(),
            term.epoch());
        return CommitResult.COMMITTED;
      }
      if (i < 2) {
        throw fenced(
            term,
            i == 0
                ? "ZooKeeper refused the write: latch node "
                    + term.latchPath()
                    + " is gone ("
                    + code
                    + ")"
                : "ZooKeeper refused the write: the epoch moved past "
                    + term.epoch()
                    + " ("
                    + code
                    + ")");
      }
      if (sentBefore && appliedInTerm(term, multi)) {
        log.info(
            "{}: a fenced commit sent again after a lost answer found its first send committed",
            term.memberId());
        return CommitResult.COMMITTED;
      }
      conflicts.inc();
      CommitResult.Outcome outcome =
          code == KeeperException.Code.NODEEXISTS
              ? CommitResult.Outcome.EXISTED
              : CommitResult.Outcome.CONFLICT;
      return new CommitResult(outcome, i - 2);
    }
    throw new StoreUnavailableException(
        "fenced commit failed without a failing op (" + failure + ")", cause);
  }

  /**
   * Whether ZooKeeper holds exactly what {@code multi} writes, written by one transaction of this
   * term: every created node has our data and is unchanged since it was created (an assignment only
   * exists: its worker may have written its report into it since), every updated node has our data
   * at the version our update gives it, every deleted node is gone, and all the nodes written carry
   * the same zxid, later than the one at which this term took the epoch.
   *
   * <p>Only a multi whose earlier send got no answer is asked this. Within a term only this term's
   * fenced multis write scheduler state (the epoch check refuses every other writer, and no one
   * else writes these paths), so a match was written by this term: by our lost send, unless the
   * engine had already made the very same change in this term — the same records with the same
   * bytes from the same versions — and was told so. For an update that cannot happen: a committed
   * update moves the engine's view past the version it was based on, and an unanswered one drops
   * the view. A create is made once per term too: a fire's multi also moves the job's schedule
   * state from the version the engine holds, a request's multi deletes the request, and both fail
   * on a repeat. A duplicate written by an earlier term — a run fired before a failover, even with
   * identical bytes — was written before the epoch's zxid and stays {@code EXISTED}.
   */
  private boolean appliedInTerm(ZkLeaderTerm term, List<Op> multi) {
    try {
      return RetryLoop.callWithRetry(
          client.getZookeeperClient(),
          () -> matches(term, multi, client.getZookeeperClient().getZooKeeper()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reading back a fenced commit", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreUnavailableException("reading back a fenced commit failed: " + e, e);
    }
  }

  private boolean matches(ZkLeaderTerm term, List<Op> multi, ZooKeeper zk)
      throws KeeperException, InterruptedException {
    Stat epoch = zk.exists(multi.get(1).getPath(), false);
    if (epoch == null || epoch.getVersion() > term.epochVersion() + 1) {
      throw fenced(term, "the epoch moved past " + term.epoch() + " before a commit was read back");
    }
    // While the term is current, its writes come after the epoch's last write (the term's take).
    // Once exactly one more term was taken, this term's writes came before that take and after
    // the engine's reads that the multi's versions and absent nodes come from: no other writer
    // had the epoch in between.
    boolean current = epoch.getVersion() == term.epochVersion();
    long boundary = epoch.getMzxid();
    long written = -1;
    for (Op op : multi.subList(2, multi.size())) {
      Record request = op.toRequestRecord();
      long zxid;
      if (request instanceof CreateRequest create && isAssignment(op.getPath())) {
        // Its worker may have reported into it already: only its creation is ours to compare.
        Stat stat = zk.exists(op.getPath(), false);
        if (stat == null) {
          return differs(op, "missing");
        }
        zxid = stat.getCzxid();
      } else if (request instanceof CreateRequest create) {
        Stat stat = new Stat();
        if (!readsAs(zk, op.getPath(), create.getData(), stat) || stat.getVersion() != 0) {
          return differs(op, "other data or changed since");
        }
        zxid = stat.getCzxid();
      } else if (request instanceof SetDataRequest set) {
        Stat stat = new Stat();
        if (!readsAs(zk, op.getPath(), set.getData(), stat)
            || (set.getVersion() != -1 && stat.getVersion() != set.getVersion() + 1)) {
          return differs(op, "other data or version " + stat.getVersion());
        }
        zxid = stat.getMzxid();
      } else if (request instanceof DeleteRequest) {
        if (zk.exists(op.getPath(), false) != null) {
          return differs(op, "still there");
        }
        continue;
      } else {
        continue;
      }
      if ((current ? zxid <= boundary : zxid >= boundary) || (written != -1 && zxid != written)) {
        return differs(op, "written by another transaction (zxid " + Long.toHexString(zxid) + ")");
      }
      written = zxid;
    }
    return true;
  }

  private static boolean differs(Op op, String how) {
    log.info("a fenced commit read back after a lost answer differs at {}: {}", op.getPath(), how);
    return false;
  }

  /** Whether {@code path} (as sent: with the client's namespace) is an assignment's. */
  private boolean isAssignment(String path) {
    return path.startsWith(
        org.apache.curator.utils.ZKPaths.makePath(client.getNamespace(), layout.assignRoot())
            + "/");
  }

  /** Whether {@code path} exists with {@code expected} as its data; fills {@code stat}. */
  private static boolean readsAs(ZooKeeper zk, String path, byte[] expected, Stat stat)
      throws KeeperException, InterruptedException {
    try {
      byte[] data = zk.getData(path, false, stat);
      return Arrays.equals(
          data == null ? new byte[0] : data, expected == null ? new byte[0] : expected);
    } catch (KeeperException.NoNodeException gone) {
      return false;
    }
  }

  private FencingException fenced(ZkLeaderTerm term, String reason) {
    rejections.inc();
    if (term.isCurrent()) {
      log.warn(
          "{}: write refused, term with epoch {} is over: {}",
          term.memberId(),
          term.epoch(),
          reason);
    }
    term.fenced(reason);
    return new FencingException(
        term.epoch(), "term " + term.epoch() + " of " + term.memberId() + " is over: " + reason);
  }

  /** Test hook: runs after the local check and before the multi is sent (a "GC pause" point). */
  void setBeforeSubmit(Runnable hook) {
    this.beforeSubmit = hook;
  }
}
