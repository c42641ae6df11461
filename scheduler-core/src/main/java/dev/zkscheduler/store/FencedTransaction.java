package dev.zkscheduler.store;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.ZkLeaderTerm;
import dev.zkscheduler.metrics.MetricNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way scheduler state is written (DESIGN.md §3.2): a ZooKeeper multi-op of {@code
 * check(latch node of the term)} + {@code check(epoch znode, version = the term's token)} + the
 * caller's ops. ZooKeeper applies all or nothing, and refuses all when the writer's session died
 * (its ephemeral latch node is gone) or a newer term took the epoch — whatever the writer believes.
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
    if (!(term instanceof ZkLeaderTerm zkTerm)) {
      throw new IllegalArgumentException("not a ZooKeeper leader term: " + term);
    }
    if (!zkTerm.isCurrent()) {
      // Cheap early exit; never the only check — ZooKeeper checks again below.
      throw fenced(zkTerm, "the term ended before the write");
    }
    beforeSubmit.run();
    try (Timer.Context ignored = commits.time()) {
      List<CuratorOp> all = new ArrayList<>(ops.size() + 2);
      all.add(client.transactionOp().check().forPath(zkTerm.latchPath()));
      all.add(
          client
              .transactionOp()
              .check()
              .withVersion(zkTerm.epochVersion())
              .forPath(layout.epoch()));
      all.addAll(ops);
      client.transaction().forOperations(all);
      return CommitResult.COMMITTED;
    } catch (KeeperException e) {
      return failed(zkTerm, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during a fenced commit; outcome unknown", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("fenced commit failed: " + e, e);
    }
  }

  private CommitResult failed(ZkLeaderTerm term, KeeperException e) {
    List<OpResult> results = e.getResults();
    if (results == null) {
      if (e.code() == KeeperException.Code.SESSIONEXPIRED) {
        throw fenced(term, "the session expired");
      }
      throw new StoreUnavailableException(
          "fenced commit failed (" + e.code() + "); outcome unknown", e);
    }
    for (int i = 0; i < results.size(); i++) {
      if (!(results.get(i) instanceof OpResult.ErrorResult error)) {
        continue;
      }
      KeeperException.Code code = KeeperException.Code.get(error.getErr());
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
        "fenced commit failed without a failing op (" + e.code() + ")", e);
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
