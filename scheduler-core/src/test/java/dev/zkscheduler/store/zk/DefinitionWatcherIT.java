package dev.zkscheduler.store.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.testing.ServerRequests;
import dev.zkscheduler.testing.ZkClients;
import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class DefinitionWatcherIT {

  @Test
  void everyEditOnAnyNodeReachesTheWatcher() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "watch");
        CuratorFramework otherNode = ZkClients.started(server.getConnectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              client,
              layout,
              new FencedTransaction(client, layout, null),
              StoreLimits.DEFAULT,
              null);
      ZkSchedulerStore other =
          new ZkSchedulerStore(
              otherNode,
              layout,
              new FencedTransaction(otherNode, layout, null),
              StoreLimits.DEFAULT,
              null);
      store.createJob(JobDefinition.builder("existing").task("t", "noop").build());

      Map<String, Integer> versions = new ConcurrentHashMap<>();
      Map<String, Long> creations = new ConcurrentHashMap<>();
      List<String> deleted = new CopyOnWriteArrayList<>();
      AtomicBoolean initialized = new AtomicBoolean();
      MetricRegistry metrics = new MetricRegistry();
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(
              client,
              layout,
              new DefinitionWatcher.Listener() {
                @Override
                public void upserted(Versioned<JobDefinition> job) {
                  versions.put(job.value().id(), job.version());
                  creations.put(job.value().id(), job.created());
                }

                @Override
                public void deleted(String jobId) {
                  deleted.add(jobId);
                }

                @Override
                public void initialized() {
                  initialized.set(true);
                }
              },
              metrics)) {
        assertThat(watcher.snapshot()).as("nothing before the initial load").isEmpty();
        watcher.start();
        await().atMost(Duration.ofSeconds(10)).untilTrue(initialized);
        assertThat(versions).containsEntry("existing", 0);

        long created =
            other.createJob(JobDefinition.builder("new").task("t", "noop").build()).created();
        other.putJob(
            JobDefinition.builder("new").task("t", "noop").paused(true).build(), OptionalInt.of(0));
        other.deleteJob("existing", OptionalInt.empty());
        otherNode
            .create()
            .forPath(layout.job("garbage"), "not json".getBytes(StandardCharsets.UTF_8));

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> versions.get("new") == 1 && deleted.contains("existing"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> metrics.counter(MetricNames.STORE_UNREADABLE).getCount() == 1);
        assertThat(versions).doesNotContainKey("garbage");

        // What a new leader starts from: the watch's view, decoded, unreadable ones left out.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(watcher.snapshot().orElse(List.of()))
                        .extracting(v -> v.value().id() + "@" + v.version())
                        .containsExactly("new@1"));
        assertThat(watcher.snapshot().orElseThrow().get(0).value().paused()).isTrue();
        // The watch names each job's creation as the writer's store did (the znode's czxid).
        assertThat(creations).containsEntry("new", created);
        assertThat(watcher.snapshot().orElseThrow().get(0).created()).isEqualTo(created);
      }

      MetricRegistry gauges = new MetricRegistry();
      StoreGauges.register(client, layout, gauges);
      assertThat(gauges.getGauges().get(MetricNames.STORE_JOBS).getValue()).isEqualTo(2L);
      // Runs in flight have no index to count since layout 3: the tick loop reports them.
      assertThat(gauges.getGauges()).doesNotContainKey(MetricNames.STORE_ACTIVE_RUNS);
      assertThat((Long) gauges.getGauges().get(MetricNames.STORE_ZNODES).getValue())
          .isGreaterThan(2L * ZkLayout.BUCKETS);
    }
  }

  @Test
  void startsOnceAndClosesIdempotently() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      AtomicInteger loads = new AtomicInteger();
      DefinitionWatcher watcher = new DefinitionWatcher(client, layout, counting(loads), null);
      watcher.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> watcher.snapshot().isPresent());

      assertThatThrownBy(watcher::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("DefinitionWatcher started twice");
      assertThat(loads).hasValue(1);

      watcher.close();
      watcher.close();
      assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class);

      AtomicInteger neverLoaded = new AtomicInteger();
      DefinitionWatcher never = new DefinitionWatcher(client, layout, counting(neverLoaded), null);
      never.close();
      never.close();
      assertThatThrownBy(never::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("started after close");
      assertThat(never.snapshot()).isEmpty();
      assertThat(neverLoaded).hasValue(0);
    }
  }

  /**
   * A job deleted and created again while the watch was cut off comes back at the same version with
   * a new creation, and Curator's re-read after the reconnect tells no listener: a new leader's
   * snapshot must still hold the new creation, not the one decoded before.
   */
  @Test
  void aJobCreatedAgainWhileTheWatchWasCutOffIsTheNewOneInTheSnapshot() throws Exception {
    try (TestingServer server = new TestingServer(true);
        dev.zkscheduler.testing.TcpProxy proxy =
            new dev.zkscheduler.testing.TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "watch");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(writer, layout, Duration.ofSeconds(10)).ensureLayout();
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              writer,
              layout,
              new FencedTransaction(writer, layout, null),
              StoreLimits.DEFAULT,
              null);
      store.createJob(JobDefinition.builder("x").task("t", "old-type").build());
      AtomicBoolean cutOff = new AtomicBoolean();
      AtomicBoolean back = new AtomicBoolean();
      watched
          .getConnectionStateListenable()
          .addListener(
              (c, state) -> {
                if (state == org.apache.curator.framework.state.ConnectionState.SUSPENDED) {
                  cutOff.set(true);
                } else if (state
                    == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
                  back.set(true);
                }
              });
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(watched, layout, counting(new AtomicInteger()), null)) {
        watcher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.snapshot().isPresent());

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);
        store.deleteJob("x", OptionalInt.empty());
        Versioned<JobDefinition> again =
            store.createJob(JobDefinition.builder("x").task("t", "new-type").build());
        proxy.heal();
        proxy.cutAll();
        await().atMost(Duration.ofSeconds(30)).untilTrue(back);

        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertThat(watcher.snapshot().orElse(List.of()))
                        .singleElement()
                        .satisfies(
                            v -> {
                              assertThat(v.created()).isEqualTo(again.created());
                              assertThat(v.value().tasks().get(0).type()).isEqualTo("new-type");
                            }));
      }
    }
  }

  /**
   * The load lists the 256 buckets and reads the jobs 32 to a request. Curator's cache, used
   * before, sent two requests per job (its data, then its children): 4,000 here.
   */
  @Test
  void theLoadReadsEveryJobInBatchesNotTwoRequestsEach() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      createJobs(client, layout, 2_000);
      AtomicInteger loads = new AtomicInteger();
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(client, layout, counting(loads), null)) {
        long before = ServerRequests.received(server);
        watcher.start();
        await().atMost(Duration.ofSeconds(20)).untilAtomic(loads, org.hamcrest.Matchers.is(1));
        long requests = ServerRequests.received(server) - before;

        assertThat(watcher.snapshot().orElseThrow()).hasSize(2_000);
        // The watch, 256 listings, 63 batches; a few pings and Curator's own requests besides.
        assertThat(requests).isBetween(320L, 400L);
      }
    }
  }

  /** What changed while the watch was cut off is told to the listener once it is back. */
  @Test
  void editsDeletesAndCreatesWhileCutOffAreToldAfterReconnecting() throws Exception {
    try (TestingServer server = new TestingServer(true);
        dev.zkscheduler.testing.TcpProxy proxy =
            new dev.zkscheduler.testing.TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "watch");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(writer, layout, Duration.ofSeconds(10)).ensureLayout();
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              writer,
              layout,
              new FencedTransaction(writer, layout, null),
              StoreLimits.DEFAULT,
              null);
      store.createJob(JobDefinition.builder("kept").task("t", "noop").build());
      store.createJob(JobDefinition.builder("edited").task("t", "noop").build());
      store.createJob(JobDefinition.builder("gone").task("t", "noop").build());
      AtomicBoolean cutOff = new AtomicBoolean();
      watched
          .getConnectionStateListenable()
          .addListener(
              (c, state) -> {
                if (state == org.apache.curator.framework.state.ConnectionState.SUSPENDED) {
                  cutOff.set(true);
                }
              });
      Map<String, Integer> versions = new ConcurrentHashMap<>();
      List<String> deleted = new CopyOnWriteArrayList<>();
      AtomicInteger told = new AtomicInteger();
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(
              watched,
              layout,
              new DefinitionWatcher.Listener() {
                @Override
                public void upserted(Versioned<JobDefinition> job) {
                  versions.put(job.value().id(), job.version());
                  told.incrementAndGet();
                }

                @Override
                public void deleted(String jobId) {
                  deleted.add(jobId);
                  told.incrementAndGet();
                }
              },
              null)) {
        watcher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.snapshot().isPresent());
        assertThat(told).hasValue(3);

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);
        store.putJob(
            JobDefinition.builder("edited").task("t", "noop").paused(true).build(),
            OptionalInt.of(0));
        store.deleteJob("gone", OptionalInt.empty());
        store.createJob(JobDefinition.builder("new").task("t", "noop").build());
        proxy.heal();
        proxy.cutAll();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(watcher.snapshot().orElse(List.of()))
                        .extracting(v -> v.value().id() + "@" + v.version())
                        .containsExactlyInAnyOrder("kept@0", "edited@1", "new@0"));
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(deleted).containsExactly("gone"));
        assertThat(versions).containsEntry("edited", 1).containsEntry("new", 0);
        // The unchanged job is not told again: 3 at the load, then the edit, delete and create.
        assertThat(told).hasValue(6);
      }
    }
  }

  /**
   * A leader elected on a reconnect must not plan from what the watch held before the cut: a job
   * paused meanwhile would fire once. The snapshot is empty from the suspension until the reload.
   */
  @Test
  void noSnapshotWhileDisconnectedNorUntilTheReloadIsComplete() throws Exception {
    try (TestingServer server = new TestingServer(true);
        dev.zkscheduler.testing.TcpProxy proxy =
            new dev.zkscheduler.testing.TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "watch");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(writer, layout, Duration.ofSeconds(10)).ensureLayout();
      ZkSchedulerStore store =
          new ZkSchedulerStore(
              writer,
              layout,
              new FencedTransaction(writer, layout, null),
              StoreLimits.DEFAULT,
              null);
      store.createJob(JobDefinition.builder("x").task("t", "noop").build());
      AtomicBoolean cutOff = new AtomicBoolean();
      watched
          .getConnectionStateListenable()
          .addListener(
              (c, state) -> {
                if (state == org.apache.curator.framework.state.ConnectionState.SUSPENDED) {
                  cutOff.set(true);
                }
              });
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(watched, layout, counting(new AtomicInteger()), null)) {
        watcher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.snapshot().isPresent());

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);
        assertThat(watcher.snapshot()).as("while disconnected").isEmpty();
        store.putJob(
            JobDefinition.builder("x").task("t", "noop").paused(true).build(), OptionalInt.of(0));
        proxy.heal();
        proxy.cutAll();

        await().atMost(Duration.ofSeconds(30)).until(() -> watcher.snapshot().isPresent());
        assertThat(watcher.snapshot().orElseThrow())
            .singleElement()
            .satisfies(v -> assertThat(v.value().paused()).as("the edit made while cut").isTrue());
      }
    }
  }

  /**
   * A new leader asks for the definitions while the watch loads them (a cold start: the term comes
   * before the load of 100,000 jobs ends): it waits for the load instead of reading every job a
   * second time.
   */
  @Test
  void aSnapshotAskedForWhileTheWatchLoadsWaitsForTheLoad() throws Exception {
    try (TestingServer server = new TestingServer(true);
        CuratorFramework client = ZkClients.started(server.getConnectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(client, layout, Duration.ofSeconds(10)).ensureLayout();
      createJobs(client, layout, 2_000);
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(client, layout, counting(new AtomicInteger()), null)) {
        watcher.start();

        assertThat(watcher.snapshot(Duration.ofSeconds(60)).orElseThrow()).hasSize(2_000);
      }
    }
  }

  /**
   * A watch that cannot load (its connection is cut) is not waited for: the leader reads the
   * definitions from the store (and finds it unreachable too) rather than wait out the bound.
   */
  @Test
  void aSnapshotDoesNotWaitForAWatchThatCannotLoad() throws Exception {
    try (TestingServer server = new TestingServer(true);
        dev.zkscheduler.testing.TcpProxy proxy =
            new dev.zkscheduler.testing.TcpProxy(server.getPort());
        CuratorFramework writer = ZkClients.started(server.getConnectString(), "watch");
        CuratorFramework watched = ZkClients.started(proxy.connectString(), "watch")) {
      ZkLayout layout = new ZkLayout();
      new LayoutMigrator(writer, layout, Duration.ofSeconds(10)).ensureLayout();
      createJobs(writer, layout, 10);
      AtomicBoolean cutOff = new AtomicBoolean();
      watched
          .getConnectionStateListenable()
          .addListener(
              (c, state) -> {
                if (state == org.apache.curator.framework.state.ConnectionState.SUSPENDED) {
                  cutOff.set(true);
                }
              });
      try (DefinitionWatcher watcher =
          new DefinitionWatcher(watched, layout, counting(new AtomicInteger()), null)) {
        proxy.blackhole();
        watcher.start();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cutOff);

        Optional<List<Versioned<JobDefinition>>> none =
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> watcher.snapshot(Duration.ofMinutes(5)));

        assertThat(none).isEmpty();
      }
    }
  }

  private static void createJobs(CuratorFramework client, ZkLayout layout, int count)
      throws Exception {
    List<CuratorOp> creates = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JobDefinition job = JobDefinition.builder("job-" + i).task("t", "noop").build();
      creates.add(
          client.transactionOp().create().forPath(layout.job(job.id()), JobCodec.encode(job)));
      if (creates.size() == 500 || i == count - 1) {
        client.transaction().forOperations(creates);
        creates.clear();
      }
    }
  }

  /** Counts initial loads and ignores changes. */
  private static DefinitionWatcher.Listener counting(AtomicInteger loads) {
    return new DefinitionWatcher.Listener() {
      @Override
      public void upserted(Versioned<JobDefinition> job) {}

      @Override
      public void deleted(String jobId) {}

      @Override
      public void initialized() {
        loads.incrementAndGet();
      }
    };
  }
}
