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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
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
 * caller's ops failed its precondition (a normal answer, nothing written); {@link FencingException}
 * when the term is over (the term is ended, the refusal counted and logged); {@link
 * StoreUnavailableException} when ZooKeeper could not be reached. Thread-safe.
 */
public final class FencedTransaction {

  private static final Logger log = LoggerFactory.getLogger(FencedTransaction.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final Counter rejections;
  private final Counter conflicts;
  private final Timer commits;
  private volatile Runnable beforeSubmit = () -> {};

  public FencedTransaction(CuratorFramework client, ZkLayout layout, MetricRegistry registry) {
    this.client = client;
    this.layout = layout;
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    this.rejections = metrics.counter(MetricNames.FENCING_REJECTIONS);
    this.conflicts = metrics.counter(MetricNames.STORE_CONFLICTS);
    this.commits = metrics.timer(MetricNames.STORE_COMMITS);
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
    try (Timer.Context ignored = commits.time()) {
      client.transaction().forOperations(fencedOps(zkTerm, ops));
      return CommitResult.COMMITTED;
    } catch (KeeperException e) {
      return failed(zkTerm, e.code(), errorCodes(e.getResults()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during a fenced commit; outcome unknown", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("fenced commit failed: " + e, e);
    }
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
    List<CompletableFuture<CommitResult>> answers = new ArrayList<>(batches.size());
    Semaphore slots = new Semaphore(inFlight);
    try {
      for (List<CuratorOp> batch : batches) {
        CompletableFuture<CommitResult> answer = new CompletableFuture<>();
        answers.add(answer);
        if (!slots.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
          throw new StoreUnavailableException("fenced commits were not answered in time", null);
        }
        Timer.Context timing = commits.time();
        client
            .transaction()
            .inBackground(
                (c, event) -> {
                  timing.stop();
                  slots.release();
                  KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                  try {
                    answer.complete(
                        code == KeeperException.Code.OK
                            ? CommitResult.COMMITTED
                            : failed(zkTerm, code, transactionErrors(event), null));
                  } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                  }
                })
            .forOperations(fencedOps(zkTerm, batch));
      }
      List<CommitResult> results = new ArrayList<>(answers.size());
      for (CompletableFuture<CommitResult> answer : answers) {
        // ZooKeeper answers in order: each answer gets the full wait, so a long queue is not cut
        // short, while a connection that stopped answering is given up on after timeoutMillis.
        results.add(answer.get(timeoutMillis, TimeUnit.MILLISECONDS));
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

  private List<CuratorOp> fencedOps(ZkLeaderTerm term, List<CuratorOp> ops) throws Exception {
    List<CuratorOp> all = new ArrayList<>(ops.size() + 2);
    all.add(client.transactionOp().check().forPath(term.latchPath()));
    all.add(
        client.transactionOp().check().withVersion(term.epochVersion()).forPath(layout.epoch()));
    all.addAll(ops);
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

  private static List<Integer> transactionErrors(CuratorEvent event) {
    if (event.getOpResults() == null) {
      return null;
    }
    List<Integer> codes = new ArrayList<>(event.getOpResults().size());
    for (CuratorTransactionResult result : event.getOpResults()) {
      codes.add(result.getError());
    }
    return codes;
  }

  private CommitResult failed(
      ZkLeaderTerm term, KeeperException.Code failure, List<Integer> results, Exception cause) {
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
