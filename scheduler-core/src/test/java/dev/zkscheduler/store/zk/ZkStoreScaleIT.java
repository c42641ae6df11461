package dev.zkscheduler.store.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ZooKeeper footprint stays bounded: many jobs, concurrent migrations, newer layouts. */
class ZkStoreScaleIT {

  private static final Logger log = LoggerFactory.getLogger(ZkStoreScaleIT.class);
  private static final int JOBS = 20_000;

  @Test
  void twentyThousandJobsArePagedWithoutAnyLargeListing() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "scale")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              client,
              layout,
              new FencedTransaction(client, layout, null),
              StoreLimits.DEFAULT,
              null);

      long t0 = System.nanoTime();
      // Setup through raw multis of 500 creates: the store's own createJob is one round trip each.
      List<CuratorOp> batch = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        JobDefinition job =
            JobDefinition.builder(String.format("job-%05d", i)).task("t", "noop").build();
        batch.add(
            client.transactionOp().create().forPath(layout.job(job.id()), JobCodec.encode(job)));
        if (batch.size() == 500) {
          client.transaction().forOperations(batch);
          batch.clear();
        }
      }
      long created = System.nanoTime();

      int largestBucket = 0;
      for (int bucket = 0; bucket < ZkLayout.BUCKETS; bucket++) {
        largestBucket =
            Math.max(
                largestBucket,
                client.checkExists().forPath(layout.jobBucket(bucket)).getNumChildren());
      }
      Set<String> seen = new HashSet<>();
      String after = null;
      String previous = "";
      int pages = 0;
      do {
        JobPage page = store.jobs(after, 100);
        for (Versioned<JobDefinition> job : page.jobs()) {
          assertThat(job.value().id()).isGreaterThan(previous);
          previous = job.value().id();
          seen.add(previous);
        }
        after = page.next();
        pages++;
      } while (after != null && pages < 5);
      long paged = System.nanoTime();
      log.info(
          "{} jobs created in {} ms; largest bucket {} children; 5 pages of 100 in {} ms",
          JOBS,
          (created - t0) / 1_000_000,
          largestBucket,
          (paged - created) / 1_000_000);

      assertThat(seen).hasSize(500);
      // Each bucket listing is ~1/256 of the jobs: a few hundred short names, far from 1 MiB.
      assertThat(largestBucket).isBetween(JOBS / ZkLayout.BUCKETS / 2, JOBS / ZkLayout.BUCKETS * 2);
      assertThat(client.checkExists().forPath(layout.jobsRoot()).getNumChildren())
          .isEqualTo(ZkLayout.BUCKETS);
      assertThat(store.job("job-19999")).isPresent();
    }
  }

  @Test
  void concurrentStartersMigrateOnceUnderTheLock() throws Exception {
    try (TestingServer server = new TestingServer(true)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<CuratorFramework> clients = new ArrayList<>();
      try {
        List<Callable<Integer>> starters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          CuratorFramework client = ZkClients.started(server.getConnectString(), "migrate");
          clients.add(client);
          starters.add(
              () ->
                  new LayoutMigrator(client, new ZkLayout(), Duration.ofSeconds(20))
                      .ensureLayout());
        }
        List<Integer> found = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(starters)) {
          found.add(f.get());
        }
        // Exactly one starter saw the empty cluster and migrated; the rest found it done.
        assertThat(found).containsOnly(0, ZkLayout.LAYOUT_VERSION);
        assertThat(found.stream().filter(v -> v == 0)).hasSize(1);
        CuratorFramework client = clients.get(0);
        assertThat(new String(client.getData().forPath("/layout-version"), StandardCharsets.UTF_8))
            .isEqualTo(String.valueOf(ZkLayout.LAYOUT_VERSION));
        assertThat(client.checkExists().forPath("/workers")).isNotNull();
        assertThat(client.checkExists().forPath("/assign")).isNotNull();
        // Layout 3 has no index of runs in flight: they are listed in the schedule states.
        assertThat(client.checkExists().forPath("/active")).isNull();
        assertThat(client.checkExists().forPath("/schedule").getNumChildren())
            .isEqualTo(ZkLayout.BUCKETS);

        client
            .setData()
            .forPath(
                "/layout-version",
                String.valueOf(ZkLayout.LAYOUT_VERSION + 1).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(
                () ->
                    new LayoutMigrator(client, new ZkLayout(), Duration.ofSeconds(5))
                        .ensureLayout())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("layout version " + (ZkLayout.LAYOUT_VERSION + 1))
            .hasMessageContaining("knows up to " + ZkLayout.LAYOUT_VERSION);
      } finally {
        pool.shutdownNow();
        clients.forEach(CuratorFramework::close);
      }
    }
  }
}
