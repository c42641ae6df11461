package dev.zkscheduler.store;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.Versioned;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runs the schedule states list as in flight, read: {@code active}, those not terminal; {@code
 * ended}, by job id, the listed ids whose run is terminal or gone (deleted by retention), which the
 * next write of their job's schedule state drops. A listed run that cannot be decoded is in
 * neither: it is not known to have ended, so it stays listed.
 */
public record ListedRuns(List<Versioned<Run>> active, Map<String, Set<String>> ended) {

  public ListedRuns {
    active = List.copyOf(active);
    Map<String, Set<String>> copy = new HashMap<>();
    ended.forEach((job, ids) -> copy.put(job, Set.copyOf(ids)));
    ended = Map.copyOf(copy);
  }
}
