package dev.zkscheduler.testing;

import dev.zkscheduler.job.TaskHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An independent record of every task handler call in a test cluster: which attempt of which task
 * ran, on which member, with which fencing token. Kept outside the scheduler, so that what the
 * scheduler says about its runs can be checked against what its handlers saw. Thread-safe.
 */
public final class CallLedger {

  /** One handler call; {@code startedNanos} is {@link System#nanoTime()} at the call. */
  public record Call(
      String jobId,
      String runId,
      String taskId,
      int attempt,
      String member,
      long fencingToken,
      long startedNanos) {

    /** The (job, run, task) this call ran an attempt of. */
    public String task() {
      return jobId + "/" + runId + "/" + taskId;
    }

    /** The attempt this call ran. */
    public String attemptKey() {
      return task() + "#" + attempt;
    }
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

  /** {@code handler}, with every call recorded as made on {@code member} before it runs. */
  public TaskHandler recording(String member, TaskHandler handler) {
    return ctx -> {
      calls.add(
          new Call(
              ctx.jobId(),
              ctx.runId(),
              ctx.taskId(),
              ctx.attempt(),
              member,
              ctx.fencingToken(),
              System.nanoTime()));
      return handler.execute(ctx);
    };
  }

  public int size() {
    return calls.size();
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> where(Predicate<Call> filter) {
    return calls.stream().filter(filter).toList();
  }

  public long count(Predicate<Call> filter) {
    return calls.stream().filter(filter).count();
  }

  /** Calls by member. */
  public Map<String, Long> perMember() {
    return calls.stream().collect(Collectors.groupingBy(Call::member, Collectors.counting()));
  }

  /** Keys (by {@code key}) called more than once, with their calls. */
  public Map<String, List<Call>> repeated(Function<Call, String> key) {
    return calls.stream().collect(Collectors.groupingBy(key)).entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
