package dev.zkscheduler.backend;

import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.engine.DefinitionSource;
import dev.zkscheduler.engine.Lease;
import dev.zkscheduler.health.LeadershipHealthCheck;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import dev.zkscheduler.store.memory.LocalWorkers;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One process: state in memory, or in a store and leadership the caller supplies (tests of the
 * engine). There is no session to lose, so attempts start under an unlimited lease, and the cluster
 * is this node alone.
 */
public final class InMemoryBackend implements Backend {

  private final String memberId;
  private final SchedulerStore store;
  private final Leadership leadership;
  private final Instant since;
  private final LocalWorkers workers;

  private InMemoryBackend(
      String memberId, SchedulerStore store, Leadership leadership, Instant since) {
    this.memberId = memberId;
    this.store = store;
    this.leadership = leadership;
    this.since = since;
    if (!(store instanceof InMemorySchedulerStore memory)) {
      throw new IllegalArgumentException(
          "a store without ZooKeeper must be an InMemorySchedulerStore: its workers are in-process");
    }
    this.workers = memory.localWorkers(memberId);
  }

  /** A fresh in-memory store; this node always leads. */
  public static InMemoryBackend of(String memberId, StoreLimits limits, Clock clock) {
    InMemorySchedulerStore store = new InMemorySchedulerStore(limits);
    return new InMemoryBackend(
        memberId, store, new LocalLeadership(store, memberId, clock), clock.instant());
  }

  /** The caller's store and leadership. */
  public static InMemoryBackend on(
      String memberId, SchedulerStore store, Leadership leadership, Clock clock) {
    return new InMemoryBackend(memberId, store, leadership, clock.instant());
  }

  @Override
  public SchedulerStore store() {
    return store;
  }

  @Override
  public Leadership leadership() {
    return leadership;
  }

  @Override
  public DefinitionSource definitions() {
    return DefinitionSource.store(store);
  }

  @Override
  public Lease attemptLease() {
    return Lease.unlimited();
  }

  @Override
  public dev.zkscheduler.cluster.Workers workers() {
    return workers;
  }

  @Override
  public dev.zkscheduler.cluster.WorkerSeat workerSeat() {
    return workers;
  }

  @Override
  public ClusterStatus clusterStatus() {
    long epoch = leadership.currentTerm().map(t -> t.epoch()).orElse(-1L);
    Map<String, Integer> running = workers.running();
    return new ClusterStatus(
        memberId,
        epoch,
        memberId,
        true,
        List.of(new Member(memberId, null, null, since)),
        workers.live().values().stream()
            .map(w -> new ClusterStatus.WorkerLoad(w, running.getOrDefault(w.name(), 0)))
            .toList());
  }

  @Override
  public Map<String, HealthCheck> healthChecks() {
    return Map.of("leadership", new LeadershipHealthCheck(leadership, this::clusterStatus));
  }

  @Override
  public void start(DefinitionChanges changes) {
    // Definitions are written through this process only: the facade reports its own changes.
  }

  @Override
  public void close() {}
}
