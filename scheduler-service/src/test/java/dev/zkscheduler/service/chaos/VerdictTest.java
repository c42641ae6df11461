package dev.zkscheduler.service.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.engine.RunIds;
import dev.zkscheduler.service.chaos.ChaosLedger.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each "must be 0" check of the fault suite detects what it is meant to. */
class VerdictTest {

  private static final Instant ANCHOR = Instant.parse("2026-01-01T00:00:00Z");
  private static ChaosLedger ledger;
  private static Workload workload;

  @BeforeAll
  static void workload() throws Exception {
    ledger = new ChaosLedger();
    ledger.close();
    workload = new Workload(ledger, ANCHOR);
    workload.create(null, ANCHOR.minusSeconds(10));
  }

  /** A clean ledger: every job's root task once per nominal instant, DAG tasks in order. */
  private static List<Entry> clean(Instant cutoff) {
    List<Entry> entries = new ArrayList<>();
    for (Workload.Job job : workload.jobs()) {
      Instant from = job.cron() ? workload.createdAt().plusSeconds(3) : ANCHOR;
      for (Instant nominal : workload.expectedFires(job, from, cutoff)) {
        String run = RunIds.scheduled(nominal);
        if (job.upstreams().isEmpty()) {
          entries.add(entry(entries.size(), job.id(), run, job.rootTask(), 1, 5, 200));
        } else {
          for (String task : List.of("a", "b", "c", "d", "e")) {
            if (task.equals("a") || job.upstreams().containsKey(task)) {
              entries.add(entry(entries.size(), job.id(), run, task, 1, 5, 200));
            }
          }
        }
      }
    }
    return entries;
  }

  private static Entry entry(
      long seq, String job, String run, String task, int attempt, long token, int status) {
    return new Entry(
        seq, "/ok", job, run, task, attempt, token, "node-" + token, Instant.now(), status);
  }

  @Test
  void aCleanLedgerIsClean() {
    Verdict v = Verdict.of(clean(ANCHOR.plusSeconds(30)), workload, ANCHOR.plusSeconds(30));
    assertThat(v.firesChecked).isGreaterThan(1000);
    assertThat(v.clean()).as(String.join("\n", v.examples)).isTrue();
  }

  @Test
  void eachKindOfFailureIsCounted() {
    Instant cutoff = ANCHOR.plusSeconds(30);
    List<Entry> entries = clean(cutoff);
    // a missed fire: drop every1s-0's run at +10 s
    String missing = RunIds.scheduled(ANCHOR.plusSeconds(10));
    entries.removeIf(e -> e.job().equals("every1s-0") && e.run().equals(missing));
    // a duplicate first attempt
    Entry first = entries.get(0);
    entries.add(entry(entries.size(), first.job(), first.run(), first.task(), 1, 5, 200));
    // a task's retry under a smaller token than its first attempt
    entries.add(entry(entries.size(), "every1s-1", "x", "call", 1, 9, 500));
    entries.add(entry(entries.size(), "every1s-1", "x", "call", 2, 7, 200));
    // one attempt called from two members (also a duplicate attempt)
    entries.add(entry(entries.size(), "every1s-2", "z", "call", 2, 5, 500));
    entries.add(
        new Entry(
            entries.size(), "/ok", "every1s-2", "z", "call", 2, 5, "node-9", Instant.now(), 500));
    // an off-grid run and a DAG task that started before its upstream succeeded
    entries.add(
        entry(
            entries.size(),
            "every1s-3",
            RunIds.scheduled(ANCHOR.plusMillis(500)),
            "call",
            1,
            9,
            200));
    String dagRun = RunIds.scheduled(ANCHOR.plusSeconds(40));
    entries.add(entry(entries.size(), "dag-1", dagRun, "b", 1, 9, 200));
    entries.add(entry(entries.size(), "dag-1", dagRun, "a", 1, 9, 200));

    Verdict v = Verdict.of(entries, workload, cutoff);
    assertThat(v.missed).isEqualTo(1);
    assertThat(v.duplicateFirstAttempts).isEqualTo(1);
    assertThat(v.duplicateAttempts).isEqualTo(2);
    assertThat(v.tokenRegressions).isEqualTo(1);
    assertThat(v.epochsWithSeveralNodes).isEqualTo(1);
    assertThat(v.offGrid).isEqualTo(1);
    assertThat(v.orderViolations).isEqualTo(1);
    assertThat(v.clean()).isFalse();
  }

  @Test
  void aCallAfterASuccessCountsUnlessItsMemberWasCutOffInBetween() {
    Instant cutoff = ANCHOR.plusSeconds(30);
    Instant t = ANCHOR.plusSeconds(100);
    List<Entry> entries = clean(cutoff);
    // node-1 succeeded, then the same task was called again: counted.
    entries.add(at(entries.size(), "every1s-4", "r1", 1, 20, "node-1", t, 200));
    entries.add(at(entries.size(), "every1s-4", "r1", 2, 21, "node-2", t.plusSeconds(6), 200));
    // node-3 succeeded but was killed before it reported: the repeat is the fault's.
    entries.add(at(entries.size(), "every1s-5", "r2", 1, 22, "node-3", t, 200));
    entries.add(at(entries.size(), "every1s-5", "r2", 2, 23, "node-2", t.plusSeconds(6), 200));
    // a failed call is retried: no success before the repeat.
    entries.add(at(entries.size(), "every1s-6", "r3", 1, 24, "node-1", t, 500));
    entries.add(at(entries.size(), "every1s-6", "r3", 2, 25, "node-1", t.plusSeconds(1), 200));
    Disruptions disruptions = new Disruptions(java.time.Duration.ofSeconds(10));
    disruptions.open("node-3", t.plusMillis(10));
    disruptions.close("node-3", t.plusSeconds(8));

    Verdict v = Verdict.of(entries, workload, cutoff, disruptions);
    assertThat(v.calledAfterSuccess).as(String.join("\n", v.examples)).isEqualTo(1);
    assertThat(v.examples).anyMatch(e -> e.contains("every1s-4"));
    assertThat(v.clean()).isFalse();
  }

  @Test
  void anAttemptLostCountsOnlyWhileItsMemberWasNotCutOff() {
    Instant cutoff = ANCHOR.plusSeconds(30);
    Instant t = ANCHOR.plusSeconds(100);
    Disruptions disruptions = new Disruptions(java.time.Duration.ofSeconds(10));
    disruptions.open("node-2", t);
    disruptions.close("node-2", t.plusSeconds(5));
    Verdict v = Verdict.of(clean(cutoff), workload, cutoff, disruptions);
    assertThat(v.clean()).isTrue();

    v.countLostWhileAlive(
        List.of(
            // node-2 was paused: its session ended, the loss is the fault's.
            new Verdict.LostAttempt(
                "every1s-7", "r1", "call", "node-2", t.plusSeconds(9), t.plusSeconds(9), true),
            // node-1 was never cut off.
            new Verdict.LostAttempt(
                "every1s-8", "r2", "call", "node-1", t.plusSeconds(9), t.plusSeconds(9), true),
            // node-2 again, long after its window closed.
            new Verdict.LostAttempt(
                "every1s-9", "r3", "call", "node-2", t.plusSeconds(60), t.plusSeconds(60), true),
            // node-3 was never cut off either; its task was retried, the run did not fail.
            new Verdict.LostAttempt("every1s-9", "r4", "call", "node-3", t, t, false),
            // Still being retried when the books were read: created before node-2's window, lost
            // in it; the span, not the run's creation, decides.
            new Verdict.LostAttempt(
                "every1s-10", "r5", "call", "node-2", t.minusSeconds(2), t.plusSeconds(30), false)),
        disruptions);
    assertThat(v.lostWhileAlive).as(String.join("\n", v.examples)).isEqualTo(2);
    assertThat(v.retriedLostWhileAlive).isEqualTo(1);
    assertThat(v.clean()).isFalse();
  }

  private static Entry at(
      long seq, String job, String run, int attempt, long token, String node, Instant at, int s) {
    return new Entry(seq, "/ok", job, run, "call", attempt, token, node, at, s);
  }
}
