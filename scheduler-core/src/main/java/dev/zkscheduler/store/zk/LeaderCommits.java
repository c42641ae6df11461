package dev.zkscheduler.store.zk;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.FencingException;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * The leader's writes of scheduler state (runs, schedule states, consumed requests): {@link
 * StoreOp}s translated to ZooKeeper ops, size-checked and committed only through {@link
 * FencedTransaction}, with a failed op mapped back to the caller's. Thread-safe.
 */
final class LeaderCommits {

  /** Fenced multis in flight at once: enough for ZooKeeper to sync them to its log together. */
  private static final int COMMITS_IN_FLIGHT = 16;

  /** What an op costs in a multi besides its data (path, header): a deliberate overestimate. */
  private static final int OTHER_OP_BYTES = 64;

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final FencedTransaction fenced;
  private final RecordSizes sizes;
  private final RunParents runParents;

  LeaderCommits(
      CuratorFramework client,
      ZkLayout layout,
      FencedTransaction fenced,
      RecordSizes sizes,
      RunParents runParents) {
    this.client = client;
    this.layout = layout;
    this.fenced = fenced;
    this.sizes = sizes;
    this.runParents = runParents;
  }

  /** A batch translated to ZooKeeper ops, with the index of the store op each one came from. */
  private record Prepared(List<CuratorOp> curatorOps, List<Integer> origin) {}

  CommitResult commit(LeaderTerm term, List<StoreOp> ops) {
    Prepared prepared = prepare(term, List.of(ops)).get(0);
    return settled(ops, prepared, fenced.commit(term, prepared.curatorOps()));
  }

  List<CommitResult> commitEach(LeaderTerm term, List<List<StoreOp>> batches) {
    if (batches.size() == 1) {
      return List.of(commit(term, batches.get(0)));
    }
    List<Prepared> prepared = prepare(term, batches);
    List<List<CuratorOp>> multis = new ArrayList<>(prepared.size());
    prepared.forEach(p -> multis.add(p.curatorOps()));
    List<CommitResult> raw =
        fenced.commitEach(term, multis, COMMITS_IN_FLIGHT, answerTimeoutMillis());
    List<CommitResult> results = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      results.add(settled(batches.get(i), prepared.get(i), raw.get(i)));
    }
    return results;
  }

  /** How long to wait for an answer: after a session timeout without one, the session is gone. */
  private long answerTimeoutMillis() {
    long connection = client.getZookeeperClient().getConnectionTimeoutMs();
    try {
      return Math.max(connection, client.getZookeeperClient().getZooKeeper().getSessionTimeout());
    } catch (Exception notConnected) {
      return connection;
    }
  }

  /** Translates and size-checks every batch, and makes sure the runs parents they need exist. */
  private List<Prepared> prepare(LeaderTerm term, List<List<StoreOp>> batches) {
    runParents.forgetEarlierTerms(term);
    List<Prepared> prepared = new ArrayList<>(batches.size());
    Set<String> parents = new HashSet<>();
    try {
      for (List<StoreOp> ops : batches) {
        List<CuratorOp> curatorOps = new ArrayList<>();
        List<Integer> origin = new ArrayList<>();
        int[] bytes = {0};
        Set<String> checkedWorkers = new HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
          StoreOp op = ops.get(i);
          if (op instanceof StoreOp.DeleteRequest delete
              && client.checkExists().forPath(layout.request(delete.requestId())) == null) {
            continue; // Already consumed: deleting it again is not a conflict.
          }
          for (CuratorOp curatorOp : translate(op, parents, checkedWorkers, bytes)) {
            curatorOps.add(curatorOp);
            origin.add(i);
          }
        }
        sizes.checkCommit(ops.size(), bytes[0]);
        prepared.add(new Prepared(curatorOps, origin));
      }
      runParents.ensure(parents);
    } catch (RecordTooLargeException | FencingException | StoreUnavailableException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("preparing a commit failed: " + e, e);
    }
    return prepared;
  }

  /** Maps a failed op back to the caller's op, and keeps what is known of runs parents honest. */
  private CommitResult settled(List<StoreOp> ops, Prepared prepared, CommitResult result) {
    if (!result.committed()) {
      if (result.outcome() != CommitResult.Outcome.EXISTED) {
        runParents.forgetAll();
      }
      return new CommitResult(result.outcome(), prepared.origin().get(result.failedOp()));
    }
    runParents.committed(ops);
    return result;
  }

  /**
   * The ZooKeeper ops of {@code op}; adds the bytes it writes to {@code bytes[0]} (each record is
   * encoded once: encoding runs twice, to size and to write, showed in profiles of the peak rate).
   */
  private List<CuratorOp> translate(
      StoreOp op, Set<String> parents, Set<String> checkedWorkers, int[] bytes) throws Exception {
    List<CuratorOp> out = new ArrayList<>(2);
    bytes[0] += OTHER_OP_BYTES;
    if (op instanceof StoreOp.CreateRun create) {
      Run run = create.run();
      parents.add(layout.runs(run.jobId()));
      byte[] data = encode(run);
      bytes[0] += data.length;
      out.add(client.transactionOp().create().forPath(layout.run(run.jobId(), run.id()), data));
    } else if (op instanceof StoreOp.UpdateRun update) {
      Run run = update.run();
      byte[] data = encode(run);
      bytes[0] += data.length;
      out.add(
          client
              .transactionOp()
              .setData()
              .withVersion(update.expectedVersion())
              .forPath(layout.run(run.jobId(), run.id()), data));
    } else if (op instanceof StoreOp.DeleteRun delete) {
      out.add(
          client
              .transactionOp()
              .delete()
              .withVersion(delete.expectedVersion())
              .forPath(layout.run(delete.jobId(), delete.runId())));
    } else if (op instanceof StoreOp.PutScheduleState put) {
      byte[] data =
          sizes.checked(
              "schedule state of " + put.state().jobId(), ScheduleStateCodec.encode(put.state()));
      bytes[0] += data.length;
      String path = layout.schedule(put.state().jobId());
      out.add(
          put.expectedVersion() == StoreOp.CREATE
              ? client.transactionOp().create().forPath(path, data)
              : client
                  .transactionOp()
                  .setData()
                  .withVersion(put.expectedVersion())
                  .forPath(path, data));
    } else if (op instanceof StoreOp.DeleteScheduleState delete) {
      if (client.checkExists().forPath(layout.schedule(delete.jobId())) != null) {
        out.add(client.transactionOp().delete().forPath(layout.schedule(delete.jobId())));
      }
    } else if (op instanceof StoreOp.DeleteRequest delete) {
      out.add(client.transactionOp().delete().forPath(layout.request(delete.requestId())));
    } else if (op instanceof StoreOp.MarkFirstStatesPending mark) {
      byte[] data = mark.since().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String path = layout.firstStatesPending();
      out.add(
          client.checkExists().forPath(path) == null
              ? client.transactionOp().create().forPath(path, data)
              : client.transactionOp().setData().forPath(path, data));
    } else if (op instanceof StoreOp.ClearFirstStatesPending) {
      if (client.checkExists().forPath(layout.firstStatesPending()) != null) {
        out.add(client.transactionOp().delete().forPath(layout.firstStatesPending()));
      }
    } else if (op instanceof StoreOp.Assign assign) {
      Assignment a = assign.assignment();
      parents.add(layout.assignments(a.worker()));
      if (checkedWorkers.add(a.worker())) {
        // Only to a worker whose session lives: one the leader's view still lists after its
        // session ended would never see the attempt, which would then count as lost.
        out.add(client.transactionOp().check().forPath(layout.worker(a.worker())));
      }
      out.add(
          client
              .transactionOp()
              .create()
              .forPath(layout.assignment(a.worker(), a.key()), new byte[0]));
    } else if (op instanceof StoreOp.Unassign unassign) {
      Assignment a = unassign.assignment();
      out.add(client.transactionOp().delete().forPath(layout.assignment(a.worker(), a.key())));
    }
    return out;
  }

  private byte[] encode(Run run) {
    return sizes.checked("run " + run.id(), RunCodec.encode(run));
  }
}
