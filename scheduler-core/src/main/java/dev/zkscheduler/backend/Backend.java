package dev.zkscheduler.backend;

import com.codahale.metrics.health.HealthCheck;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.engine.DefinitionSource;
import dev.zkscheduler.engine.Lease;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.SchedulerStore;
import java.util.Map;

/**
 * Where a scheduler keeps its state and learns who leads: ZooKeeper for a cluster ({@code
 * backend.zk.ZooKeeperBackend}), or memory for one process ({@link InMemoryBackend}). The engine
 * and the facade see a backend only through this interface and the contracts it hands out.
 *
 * <p>Lifecycle: {@link #start} once, before the engine; {@link #close()} after the engine,
 * idempotent.
 */
public interface Backend extends AutoCloseable {

  /** Told of every definition created, replaced or deleted by any node, once started. */
  @FunctionalInterface
  interface DefinitionChanges {
    /** {@code job} is null when the job was deleted. */
    void changed(String jobId, Versioned<JobDefinition> job);
  }

  SchedulerStore store();

  Leadership leadership();

  /** Where a new leader reads the definitions its plan starts from. */
  DefinitionSource definitions();

  /** How long this node's worker may start and run attempts after its last contact. */
  Lease attemptLease();

  /** The leader's view of the workers and their reports. */
  dev.zkscheduler.cluster.Workers workers();

  /** This node's place as a worker (opened by the engine of a worker node). */
  dev.zkscheduler.cluster.WorkerSeat workerSeat();

  /** Who leads and who is there. @throws dev.zkscheduler.error.StoreUnavailableException */
  ClusterStatus clusterStatus();

  /** The backend's own health checks by name (the facade adds the loop's). */
  Map<String, HealthCheck> healthChecks();

  /** Connects, joins and starts taking part in leadership. Undoes what it did if it fails. */
  void start(DefinitionChanges changes) throws Exception;

  @Override
  void close();
}
