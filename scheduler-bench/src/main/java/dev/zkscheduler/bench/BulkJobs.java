package dev.zkscheduler.bench;

import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.store.zk.LayoutMigrator;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * Writes many job definitions straight into the store's layout, 500 per multi-op: the setup of the
 * large benchmarks, not what they measure (the API creates one job per round trip).
 */
final class BulkJobs {

  private BulkJobs() {}

  static void write(String connectString, String namespace, List<JobDefinition> jobs)
      throws Exception {
    try (CuratorFramework client = Ensemble.client(connectString, namespace)) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(30)).ensureLayout();
      List<CuratorOp> batch = new ArrayList<>();
      for (JobDefinition job : jobs) {
        batch.add(
            client.transactionOp().create().forPath(layout.job(job.id()), JobCodec.encode(job)));
        if (batch.size() == 500) {
          client.transaction().forOperations(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        client.transaction().forOperations(batch);
      }
    }
  }
}
