package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three schedulers on a three-server ZooKeeper ensemble, 20 jobs firing every second, while the
 * leader is cut off past its session timeout again and again and once shut down. An independent
 * ledger of handler starts must show no duplicate first attempt of any (job, nominal instant) and
 * no missed nominal instant: every failover is shorter than the misfire threshold, so under the
 * default policy every due fire is still on time and must fire.
 */
class ClusterLedgerIT {

  private static final Logger log = LoggerFactory.getLogger(ClusterLedgerIT.class);
  private static final int JOBS = 20;

  record Entry(String jobId, Instant nominal, int attempt, String node) {}

  @Test
  void noDuplicateAndNoMissedFireAcrossFailovers() throws Exception {
    ConcurrentLinkedQueue<Entry> ledger = new ConcurrentLinkedQueue<>();
    try (TestingCluster ensemble = new TestingCluster(3)) {
      ensemble.start();
      List<InstanceSpec> servers = new ArrayList<>(ensemble.getInstances());
      List<TcpProxy> proxies = new ArrayList<>();
      List<Scheduler> nodes = new ArrayList<>();
      List<MetricRegistry> registries = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          proxies.add(new TcpProxy(servers.get(i).getPort()));
          MetricRegistry registry = new MetricRegistry();
          registries.add(registry);
          nodes.add(node("node-" + i, proxies.get(i).connectString(), registry, ledger));
        }
        nodes.forEach(Scheduler::start);
        Instant anchor = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
        for (int j = 0; j < JOBS; j++) {
          nodes
              .get(j % 3)
              .createJob(
                  JobDefinition.builder(String.format("job-%02d", j))
                      .schedule(Schedule.interval(Duration.ofSeconds(1), anchor))
                      // Runs may overlap (a run left RUNNING by a dead leader must not turn the
                      // catch-up fires into SKIPPED runs), and an attempt lost with a leader is
                      // re-offered.
                      .concurrencyPolicy(ConcurrencyPolicy.ALLOW)
                      .retry(
                          new RetryPolicy(
                              3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0.0))
                      .task("t", "ledger")
                      .build());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ledger.size() >= JOBS * 3);

        List<Long> failovers = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
          int leader = awaitLeader(nodes);
          TcpProxy proxy = proxies.get(leader);
          long t0 = System.nanoTime();
          proxy.blackhole();
          await().atMost(Duration.ofSeconds(20)).until(() -> otherLeads(nodes, leader));
          failovers.add((System.nanoTime() - t0) / 1_000_000);
          proxy.heal();
          // Let the new leader work a few seconds before the next fault.
          int before = ledger.size();
          await().atMost(Duration.ofSeconds(20)).until(() -> ledger.size() >= before + JOBS * 3);
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> nodes.get(leader).cluster().members().size() == 3);
        }
        // A graceful shutdown of the leader hands over at once; then it comes back as a new node.
        int leader = awaitLeader(nodes);
        nodes.get(leader).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> otherLeads(nodes, leader));
        nodes.set(
            leader,
            node(
                "node-" + leader + "b",
                proxies.get(leader).connectString(),
                registries.get(leader),
                ledger));
        nodes.get(leader).start();
        int beforeRestart = ledger.size();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> ledger.size() >= beforeRestart + JOBS * 2);

        // The whole cluster stops, stays down across several fire times, and starts again: the
        // interval grid is persisted data, so it resumes on the same grid, and the fires that fell
        // due meanwhile (all within the misfire threshold) still fire.
        for (Scheduler node : nodes) {
          node.close();
        }
        Instant stoppedAt = Instant.now();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> Instant.now().isAfter(stoppedAt.plusSeconds(3)));
        for (int i = 0; i < 3; i++) {
          nodes.set(
              i,
              node("node-" + i + "c", proxies.get(i).connectString(), registries.get(i), ledger));
          nodes.get(i).start();
        }
        Instant end = Instant.now();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> coveredUntil(ledger, end.plusSeconds(2)));
        log.info(
            "failovers after a silent leader (ms): {} with a {} ms session timeout",
            failovers,
            ZkClients.SESSION_TIMEOUT_MS);

        Map<String, Set<Instant>> firstAttempts = new HashMap<>();
        Map<String, Set<Instant>> anyAttempt = new HashMap<>();
        int duplicates = 0;
        int reoffered = 0;
        for (Entry e : ledger) {
          anyAttempt.computeIfAbsent(e.jobId(), k -> new HashSet<>()).add(e.nominal());
          if (e.attempt() > 1) {
            reoffered++;
          }
          if (e.attempt() == 1
              && !firstAttempts.computeIfAbsent(e.jobId(), k -> new HashSet<>()).add(e.nominal())) {
            duplicates++;
          }
        }
        int missed = 0;
        for (int j = 0; j < JOBS; j++) {
          Set<Instant> fired = anyAttempt.getOrDefault(String.format("job-%02d", j), Set.of());
          for (Instant t = anchor; !t.isAfter(end); t = t.plusSeconds(1)) {
            if (!fired.contains(t)) {
              missed++;
              String job = String.format("job-%02d", j);
              log.warn(
                  "missed: {} at {}: {}",
                  job,
                  t,
                  nodes
                      .get(0)
                      .run(job, RunIds.scheduled(t))
                      .map(Object::toString)
                      .orElse("no run"));
            }
          }
        }
        long expected = (Duration.between(anchor, end).toSeconds() + 1) * JOBS;
        long prevented =
            registries.stream()
                .mapToLong(r -> r.counter(MetricNames.DUPLICATES_PREVENTED).getCount())
                .sum();
        log.info(
            "ledger: {} entries, {} nominal fires expected, duplicate first attempts {}, missed {},"
                + " attempts re-offered after a lost leader {}, duplicate fires prevented {}",
            ledger.size(),
            expected,
            duplicates,
            missed,
            reoffered,
            prevented);
        assertThat(duplicates).as("duplicate first attempts").isZero();
        assertThat(missed).as("missed nominal instants").isZero();
        assertThat(ledger)
            .as("every fire on the anchor grid")
            .allMatch(e -> Duration.between(anchor, e.nominal()).toNanos() % 1_000_000_000L == 0);
        assertThat(expected).isGreaterThan(JOBS * 15L);
      } finally {
        for (Scheduler node : nodes) {
          node.close();
        }
        proxies.forEach(TcpProxy::close);
      }
    }
  }

  private static Scheduler node(
      String id, String connect, MetricRegistry registry, ConcurrentLinkedQueue<Entry> ledger) {
    return Scheduler.builder()
        .connectString(connect)
        .namespace("ledger")
        .sessionTimeout(Duration.ofMillis(ZkClients.SESSION_TIMEOUT_MS))
        .connectionTimeout(Duration.ofMillis(ZkClients.CONNECTION_TIMEOUT_MS))
        .memberId(id)
        .metrics(registry)
        .settings(EngineSettings.DEFAULT.withTickInterval(Duration.ofMillis(50)))
        .handler(
            "ledger",
            ctx -> {
              ledger.add(new Entry(ctx.jobId(), ctx.nominalTime(), ctx.attempt(), id));
              return TaskResult.success();
            })
        .build();
  }

  private static int awaitLeader(List<Scheduler> nodes) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> nodes.stream().filter(Scheduler::isLeader).count() == 1);
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isLeader()) {
        return i;
      }
    }
    throw new IllegalStateException("no leader");
  }

  private static boolean otherLeads(List<Scheduler> nodes, int old) {
    for (int i = 0; i < nodes.size(); i++) {
      if (i != old && nodes.get(i).isLeader()) {
        return true;
      }
    }
    return false;
  }

  private static boolean coveredUntil(ConcurrentLinkedQueue<Entry> ledger, Instant instant) {
    return ledger.stream().anyMatch(e -> !e.nominal().isBefore(instant));
  }
}
