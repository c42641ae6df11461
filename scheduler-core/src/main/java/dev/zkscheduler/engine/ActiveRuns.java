package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.StoreOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The leader's non-terminal runs, with the versions last committed, and the run changes staged in
 * the current tick. Changes are visible here at once (so the rest of the tick sees them) and
 * written by {@link #flush} in fenced multis. Tick thread only.
 */
final class ActiveRuns {

  /** A staged change: the committed version it was based on, and the run's latest state. */
  private record Staged(int baseVersion, Run latest) {}

  private final Map<String, Map<String, Versioned<Run>>> byJob = new HashMap<>();
  private final Map<String, Staged> staged = new LinkedHashMap<>();
  private final int maxPerCommit;
  private final EngineMetrics metrics;

  ActiveRuns(int maxPerCommit, EngineMetrics metrics) {
    this.maxPerCommit = maxPerCommit;
    this.metrics = metrics;
  }

  /** A run just created (version 0) or loaded from the store. */
  void put(Versioned<Run> run) {
    byJob
        .computeIfAbsent(run.value().jobId(), id -> new LinkedHashMap<>())
        .put(run.value().id(), run);
  }

  /** The job's active runs (a live view: do not hold across changes). */
  Map<String, Versioned<Run>> of(String jobId) {
    return byJob.getOrDefault(jobId, Map.of());
  }

  Versioned<Run> get(String jobId, String runId) {
    return of(jobId).get(runId);
  }

  /** Every active run, grouped by job, as a copy safe to iterate while staging changes. */
  List<Map.Entry<String, List<Versioned<Run>>>> snapshot() {
    List<Map.Entry<String, List<Versioned<Run>>>> copy = new ArrayList<>();
    byJob.forEach((job, runs) -> copy.add(Map.entry(job, List.copyOf(runs.values()))));
    return copy;
  }

  void forgetJob(String jobId) {
    byJob.remove(jobId);
  }

  boolean hasStaged() {
    return !staged.isEmpty();
  }

  /** Whether a change of one of the job's runs is staged and not yet written. */
  boolean hasStagedOf(String jobId) {
    return staged.values().stream().anyMatch(c -> c.latest().jobId().equals(jobId));
  }

  /** Forgets one run: the leader stops driving it (the store keeps what it had). */
  void remove(String jobId, String runId) {
    Map<String, Versioned<Run>> runs = byJob.get(jobId);
    if (runs != null) {
      runs.remove(runId);
      if (runs.isEmpty()) {
        byJob.remove(jobId);
      }
    }
  }

  int count() {
    return byJob.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * Each update alone, once even single-run multis were refused as too large (which writes
   * nothing): the ones that fit are committed, and a null result marks each that does not, so one
   * oversized run cannot hold back every other run's change.
   */
  private static List<CommitResult> oneByOne(
      Function<List<List<StoreOp>>, List<CommitResult>> commitEach, List<List<StoreOp>> batches) {
    List<CommitResult> results = new ArrayList<>(batches.size());
    for (List<StoreOp> batch : batches) {
      try {
        results.add(commitEach.apply(List.of(batch)).get(0));
      } catch (RecordTooLargeException overBudget) {
        results.add(null);
      }
    }
    return results;
  }

  /** The key of a run in the staged changes: {@code jobId/runId}. */
  static String key(String jobId, String runId) {
    return jobId + "/" + runId;
  }

  /** Stages the new state of {@code before}'s run; a terminal run leaves the active set. */
  void stage(Versioned<Run> before, Run after) {
    String key = key(after.jobId(), after.id());
    Staged previous = staged.get(key);
    int base = previous != null ? previous.baseVersion() : before.version();
    staged.put(key, new Staged(base, after));
    Map<String, Versioned<Run>> runs =
        byJob.computeIfAbsent(after.jobId(), id -> new LinkedHashMap<>());
    if (after.state().isTerminal()) {
      runs.remove(after.id());
      if (runs.isEmpty()) {
        byJob.remove(after.jobId());
      }
    } else {
      runs.put(after.id(), new Versioned<>(after, base));
    }
  }

  /**
   * Writes every staged change through {@code commitEach}, at most {@code maxPerCommit} runs per
   * multi, the multis sent together; batches over the commit budget are halved, down to one run
   * each. A run whose update alone is too large to store is handed to {@code tooLarge} (with the
   * version it has in the store) instead of being written, and the others are written. A refused
   * precondition means another writer changed a run: the caller's view is stale.
   */
  void flush(
      Function<List<List<StoreOp>>, List<CommitResult>> commitEach,
      java.util.function.Consumer<Versioned<Run>> tooLarge) {
    if (staged.isEmpty()) {
      return;
    }
    List<Staged> all = new ArrayList<>(staged.values());
    staged.clear();
    List<List<Staged>> chunks = new ArrayList<>();
    List<CommitResult> results;
    // Runs carry their DAG, so a count of runs alone can exceed the commit budget: halve the
    // batches until they fit (nothing is written when a batch is too large). Each update is
    // independent, so any split is as good as another.
    for (int perCommit = maxPerCommit; ; perCommit = Math.max(1, perCommit / 2)) {
      chunks.clear();
      List<List<StoreOp>> batches = new ArrayList<>();
      for (int from = 0; from < all.size(); from += perCommit) {
        List<Staged> chunk = all.subList(from, Math.min(all.size(), from + perCommit));
        List<StoreOp> ops = new ArrayList<>();
        chunk.forEach(c -> ops.add(new StoreOp.UpdateRun(c.latest(), c.baseVersion())));
        chunks.add(chunk);
        batches.add(ops);
      }
      try {
        results = commitEach.apply(batches);
        break;
      } catch (RecordTooLargeException overBudget) {
        if (perCommit == 1) {
          results = oneByOne(commitEach, batches);
          break;
        }
      }
    }
    CommitResult refused = null;
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) == null) {
        Staged s = chunks.get(i).get(0);
        tooLarge.accept(new Versioned<>(s.latest(), s.baseVersion()));
        continue;
      }
      if (!results.get(i).committed()) {
        refused = refused == null ? results.get(i) : refused;
        continue;
      }
      for (Staged c : chunks.get(i)) {
        Run run = c.latest();
        if (run.state().isTerminal()) {
          metrics.runEnded(run.state());
          continue;
        }
        Versioned<Run> current = get(run.jobId(), run.id());
        if (current != null) {
          put(new Versioned<>(current.value(), c.baseVersion() + 1));
        }
      }
    }
    if (refused != null) {
      throw new TermWork.StaleViewException("a run changed under the leader: " + refused);
    }
  }
}
