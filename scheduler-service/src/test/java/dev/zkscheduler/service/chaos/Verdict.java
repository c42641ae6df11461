package dev.zkscheduler.service.chaos;

import dev.zkscheduler.engine.RunIds;
import dev.zkscheduler.service.chaos.ChaosLedger.Entry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The suite's checks, computed from the ledger's records and the final run states read back from
 * ZooKeeper (through the API). Each "must be 0" count keeps its first examples for the report.
 */
final class Verdict {

  long entries;
  long firesChecked;
  long duplicateAttempts;
  long duplicateFirstAttempts;
  long missed;
  long offGrid;
  long orderViolations;
  long tokenRegressions;
  long epochsWithSeveralNodes;
  long stuckRuns;
  long calledAfterSuccess;
  long lostWhileAlive;
  long retriedLostWhileAlive;
  final List<String> examples = new ArrayList<>();

  /**
   * A task's attempt a run records as lost with its member's session, the span in which it was lost
   * (from the run's creation to the task's settling, or to when the books were read while the task
   * is still being retried), and whether the run ended FAILED by it (else the task was retried).
   */
  record LostAttempt(
      String job,
      String run,
      String task,
      String member,
      Instant from,
      Instant to,
      boolean runFailed) {}

  static Verdict of(List<Entry> all, Workload workload, Instant cutoff) {
    return of(all, workload, cutoff, new Disruptions(Duration.ZERO));
  }

  static Verdict of(List<Entry> all, Workload workload, Instant cutoff, Disruptions disruptions) {
    Verdict v = new Verdict();
    v.entries = all.size();
    Map<String, Workload.Job> jobs =
        workload.jobs().stream().collect(Collectors.toMap(Workload.Job::id, j -> j));

    // Each (job, run, task, attempt) reaches the ledger once; first attempts in particular.
    Map<String, Integer> attempts = new HashMap<>();
    for (Entry e : all) {
      attempts.merge(e.job() + "|" + e.run() + "|" + e.task() + "|" + e.attempt(), 1, Integer::sum);
    }
    attempts.forEach(
        (key, n) -> {
          if (n > 1) {
            v.duplicateAttempts += n - 1;
            if (key.endsWith("|1")) {
              v.duplicateFirstAttempts += n - 1;
            }
            v.example("duplicate attempt " + key + " ×" + n);
          }
        });

    // A (job, run, task) whose call succeeded is not called again, unless the member that made the
    // call was cut off before the next one: its session may have ended before it reported.
    Map<String, List<Entry>> byTaskRun = new HashMap<>();
    for (Entry e : all) {
      List<Entry> earlier =
          byTaskRun.computeIfAbsent(
              e.job() + "|" + e.run() + "|" + e.task(), k -> new ArrayList<>());
      for (Entry prior : earlier) {
        if (prior.status() / 100 == 2
            && !disruptions.disrupted(prior.node(), prior.arrivedAt(), e.arrivedAt())) {
          v.calledAfterSuccess++;
          v.example("called again after a success: " + e + " after " + prior);
          break;
        }
      }
      earlier.add(e);
    }

    // A token is an attempt's assignment (its znode's czxid): one multi may assign several
    // attempts, to several members, and runs of one job overlap on different members, so tokens
    // are compared per (job, run, task): a later attempt carries a larger token than every earlier
    // one, and no call arrives under a token below one already seen (a zombie's). An attempt is
    // called from one member only.
    Map<String, Long> maxToken = new HashMap<>();
    Map<String, Integer> maxAttempt = new HashMap<>();
    Map<String, Set<String>> nodesByAttempt = new HashMap<>();
    for (Entry e : all) {
      String task = e.job() + "|" + e.run() + "|" + e.task();
      long max = maxToken.getOrDefault(task, Long.MIN_VALUE);
      int lastAttempt = maxAttempt.getOrDefault(task, 0);
      if (e.token() < max || (e.attempt() > lastAttempt && e.token() <= max)) {
        v.tokenRegressions++;
        v.example("token regression " + e + " after " + max);
      }
      maxToken.put(task, Math.max(max, e.token()));
      maxAttempt.put(task, Math.max(lastAttempt, e.attempt()));
      nodesByAttempt.computeIfAbsent(task + "|" + e.attempt(), k -> new HashSet<>()).add(e.node());
    }
    nodesByAttempt.forEach(
        (attempt, nodes) -> {
          if (nodes.size() > 1) {
            v.epochsWithSeveralNodes++;
            v.example("attempt " + attempt + " called from " + nodes);
          }
        });

    // Every nominal instant up to the cutoff ran (CATCH_UP + ALLOW: no policy may drop one).
    Map<String, Map<String, List<Entry>>> byJobRun = new HashMap<>();
    for (Entry e : all) {
      byJobRun
          .computeIfAbsent(e.job(), j -> new HashMap<>())
          .computeIfAbsent(e.run(), r -> new ArrayList<>())
          .add(e);
    }
    for (Workload.Job job : workload.jobs()) {
      Instant from = job.cron() ? workload.createdAt().plusSeconds(3) : workload.anchor();
      Set<String> expected = new HashSet<>();
      for (Instant nominal : workload.expectedFires(job, from, cutoff)) {
        String runId = RunIds.scheduled(nominal);
        expected.add(runId);
        v.firesChecked++;
        List<Entry> calls = byJobRun.getOrDefault(job.id(), Map.of()).get(runId);
        if (calls == null || calls.stream().noneMatch(c -> c.task().equals(job.rootTask()))) {
          v.missed++;
          v.example("missed " + job.id() + " " + runId);
        }
      }
      for (String run : byJobRun.getOrDefault(job.id(), Map.of()).keySet()) {
        Instant nominal = parseRunId(run);
        if (!job.cron()
            && nominal != null
            && (Math.floorMod(
                    nominal.toEpochMilli() - workload.anchor().toEpochMilli(),
                    job.interval().toMillis())
                != 0)) {
          v.offGrid++;
          v.example("off the grid: " + job.id() + " " + run);
        }
      }
    }

    // DAG order: a task starts only after each upstream succeeded (ALL_SUCCESS).
    for (Workload.Job job : workload.jobs()) {
      if (job.upstreams().isEmpty()) {
        continue;
      }
      for (Map.Entry<String, List<Entry>> run :
          byJobRun.getOrDefault(job.id(), Map.of()).entrySet()) {
        Map<String, List<Entry>> byTask =
            run.getValue().stream().collect(Collectors.groupingBy(Entry::task));
        for (Map.Entry<String, List<String>> dep : job.upstreams().entrySet()) {
          List<Entry> starts = byTask.get(dep.getKey());
          if (starts == null) {
            continue;
          }
          long firstStart = starts.stream().mapToLong(Entry::seq).min().orElseThrow();
          for (String upstream : dep.getValue()) {
            boolean succeededBefore =
                byTask.getOrDefault(upstream, List.of()).stream()
                    .anyMatch(u -> u.status() / 100 == 2 && u.seq() < firstStart);
            if (!succeededBefore) {
              v.orderViolations++;
              v.example(
                  "order: "
                      + job.id()
                      + " "
                      + run.getKey()
                      + " "
                      + dep.getKey()
                      + " before "
                      + upstream);
            }
          }
        }
      }
    }
    return v;
  }

  /**
   * Counts the attempts lost with their member's session while that member was not cut off by any
   * fault: its session should have lived, so the loss was the scheduler's.
   */
  void countLostWhileAlive(List<LostAttempt> lost, Disruptions disruptions) {
    for (LostAttempt l : lost) {
      if (!disruptions.disrupted(l.member(), l.from(), l.to())) {
        if (l.runFailed()) {
          lostWhileAlive++;
        } else {
          retriedLostWhileAlive++;
        }
        example("lost while its member's session lived: " + l);
      }
    }
  }

  private static Instant parseRunId(String runId) {
    if (runId == null || runId.contains("-m-") || runId.length() < 20) {
      return null;
    }
    String s = runId.substring(0, 20);
    String iso =
        s.substring(0, 4)
            + "-"
            + s.substring(4, 6)
            + "-"
            + s.substring(6, 8)
            + "T"
            + s.substring(9, 11)
            + ":"
            + s.substring(11, 13)
            + ":"
            + s.substring(13, 19)
            + "Z";
    return Instant.parse(iso);
  }

  private final Map<String, Integer> examplesByKind = new HashMap<>();

  /** Keeps the first 5 examples of each kind (the text up to its first space or colon). */
  void example(String text) {
    String kind = text.split("[ :]", 2)[0];
    if (examplesByKind.merge(kind, 1, Integer::sum) <= 5 && examples.size() < 40) {
      examples.add(text);
    }
  }

  boolean clean() {
    return duplicateAttempts == 0
        && duplicateFirstAttempts == 0
        && missed == 0
        && offGrid == 0
        && orderViolations == 0
        && tokenRegressions == 0
        && epochsWithSeveralNodes == 0
        && stuckRuns == 0
        && calledAfterSuccess == 0
        && lostWhileAlive == 0
        && retriedLostWhileAlive == 0;
  }
}
