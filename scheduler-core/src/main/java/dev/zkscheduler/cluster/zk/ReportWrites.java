package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * A worker's report writes ({@link ZkWorkerSeat#report}): each a {@code setData} of the assignment
 * at version 0 (the leader creates it empty), behind a {@code check} of the worker's own node, so a
 * report is written only while the session that holds the assignment lives. Alone, or a group of
 * one worker's reports in one multi ({@link GroupedReports}).
 */
final class ReportWrites implements GroupedReports.Writes {

  private final CuratorFramework client;
  private final ZkLayout layout;

  ReportWrites(CuratorFramework client, ZkLayout layout) {
    this.client = client;
    this.layout = layout;
  }

  /** One report in its own multi. */
  @Override
  public boolean alone(GroupedReports.Report report) {
    Assignment assignment = report.assignment();
    try {
      client
          .transaction()
          .forOperations(
              client.transactionOp().check().forPath(layout.worker(assignment.worker())),
              client
                  .transactionOp()
                  .setData()
                  .withVersion(0)
                  .forPath(
                      layout.assignment(assignment.worker(), assignment.key()), report.data()));
      return true;
    } catch (KeeperException.NoNodeException refused) {
      return false;
    } catch (KeeperException.BadVersionException alreadyReported) {
      // A resend after a lost answer finds its own first write: reported all the same.
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reporting", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("reporting " + assignment + " failed: " + e, e);
    }
  }

  /** Reports of one worker in one multi, behind one check of its node. */
  @Override
  public void together(String worker, List<GroupedReports.Report> group) throws KeeperException {
    List<CuratorOp> ops = new ArrayList<>(group.size() + 1);
    try {
      ops.add(client.transactionOp().check().forPath(layout.worker(worker)));
      for (GroupedReports.Report r : group) {
        ops.add(
            client
                .transactionOp()
                .setData()
                .withVersion(0)
                .forPath(layout.assignment(worker, r.assignment().key()), r.data()));
      }
      client.transaction().forOperations(ops);
    } catch (KeeperException.ConnectionLossException
        | KeeperException.SessionExpiredException
        | KeeperException.OperationTimeoutException
        | KeeperException.SessionMovedException unknown) {
      throw new StoreUnavailableException(
          "reporting " + group.size() + " attempts failed: " + unknown, unknown);
    } catch (KeeperException refused) {
      throw refused;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while reporting", e);
    } catch (Exception e) {
      throw new StoreUnavailableException(
          "reporting " + group.size() + " attempts failed: " + e, e);
    }
  }
}
