package dev.zkscheduler.store.zk;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.zk.ZkLayout;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The ZooKeeper footprint as gauges, sampled at most every 30 seconds with ZooKeeper's {@code
 * getAllChildrenNumber} (one request per gauge, however many znodes): never a scan per scrape.
 * Bytes are not sampled (there is no cheap way); ZooKeeper's own {@code approximate_data_size}
 * ({@code mntr}) covers them. A failed sample reads -1. The runs in flight ({@link
 * MetricNames#STORE_ACTIVE_RUNS}) have no index to count since layout 3; the engine reports them.
 */
public final class StoreGauges {

  private StoreGauges() {}

  public static void register(CuratorFramework client, ZkLayout layout, MetricRegistry registry) {
    String root =
        client.getNamespace() == null || client.getNamespace().isEmpty()
            ? ""
            : "/" + client.getNamespace();
    gauge(registry, MetricNames.STORE_ZNODES, client, root.isEmpty() ? "/" : root, 0);
    gauge(registry, MetricNames.STORE_JOBS, client, root + layout.jobsRoot(), ZkLayout.BUCKETS);
    gauge(registry, MetricNames.STORE_PENDING_REQUESTS, client, root + layout.requests(), 0);
    Gauges.replace(
        registry,
        MetricNames.STORE_RUNS,
        new CachedGauge<Long>(30, TimeUnit.SECONDS) {
          @Override
          protected Long loadValue() {
            // Descendants of /runs are the per-job parents and their runs.
            long all = count(client, root + layout.runsRoot());
            long parents = count1(client, root + layout.runsRoot());
            return all < 0 || parents < 0 ? -1 : all - parents;
          }
        });
  }

  private static void gauge(
      MetricRegistry registry, String name, CuratorFramework client, String path, int fixed) {
    Gauges.replace(
        registry,
        name,
        new CachedGauge<Long>(30, TimeUnit.SECONDS) {
          @Override
          protected Long loadValue() {
            long n = count(client, path);
            return n < 0 ? -1 : n - fixed;
          }
        });
  }

  private static long count(CuratorFramework client, String path) {
    try {
      return client.getZookeeperClient().getZooKeeper().getAllChildrenNumber(path);
    } catch (KeeperException.NoNodeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static long count1(CuratorFramework client, String path) {
    try {
      var stat = client.getZookeeperClient().getZooKeeper().exists(path, false);
      return stat == null ? 0 : stat.getNumChildren();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
