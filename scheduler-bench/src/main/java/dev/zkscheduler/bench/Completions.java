package dev.zkscheduler.bench;

import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.TaskRun;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the run records say happened in a window: attempts of one task that finished in it — those
 * that succeeded, by the member that ran them (a task's {@code node} is its worker, {@code
 * member~session}), and the others — and fires with a nominal instant in it that the FORBID policy
 * recorded as SKIPPED. Only a task's latest attempt is recorded, so this counts attempts only for
 * jobs without retries, as the benchmark's are.
 */
record Completions(int succeeded, int failed, int skipped, Map<String, Integer> byMember) {

  Completions {
    byMember = Map.copyOf(byMember);
  }

  /** Counts {@code runs}, from the task {@code taskId} of each, over [from, to). */
  static Completions of(Collection<Run> runs, String taskId, Instant from, Instant to) {
    int succeeded = 0;
    int failed = 0;
    int skipped = 0;
    Map<String, Integer> byMember = new TreeMap<>();
    for (Run run : runs) {
      if (run.state() == RunState.SKIPPED) {
        if (within(run.nominalTime(), from, to)) {
          skipped++;
        }
        continue;
      }
      TaskRun task = run.tasks().get(taskId);
      if (task == null || task.finishedAt() == null || !within(task.finishedAt(), from, to)) {
        continue;
      }
      if (run.state() == RunState.SUCCEEDED) {
        succeeded++;
        byMember.merge(WorkerInfo.memberOf(task.node()), 1, Integer::sum);
      } else {
        failed++;
      }
    }
    return new Completions(succeeded, failed, skipped, byMember);
  }

  /** The share of the successful attempts that {@code member} ran, 0 to 1. */
  double share(String member) {
    return succeeded == 0 ? 0 : byMember.getOrDefault(member, 0) / (double) succeeded;
  }

  private static boolean within(Instant instant, Instant from, Instant to) {
    return !instant.isBefore(from) && instant.isBefore(to);
  }
}
