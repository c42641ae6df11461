package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.engine.ManualLeadership;
import dev.zkscheduler.engine.MutableClock;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobAudit;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every write of a job records who made it and when ({@link JobAudit}): the creation once, the last
 * change on every write; an embedder that names no actor is recorded as the node's member id.
 */
class JobAuditTest {

  private static final Instant T0 = Instant.parse("2026-12-01T14:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final InMemorySchedulerStore store = new InMemorySchedulerStore();
  private Scheduler node;

  private Scheduler start(String memberId, JobDefinition... codeDefined) {
    ManualLeadership leadership = new ManualLeadership(store, memberId, clock);
    SchedulerBuilder builder =
        Scheduler.builder()
            .memberId(memberId)
            .store(store)
            .leadership(leadership)
            .clock(clock)
            .handler("noop", ctx -> TaskResult.success());
    for (JobDefinition job : codeDefined) {
      builder.job(job);
    }
    node = builder.build();
    node.start();
    return node;
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static JobDefinition job(String description) {
    return JobDefinition.builder("nightly").description(description).task("t", "noop").build();
  }

  private static Instant later(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  @Test
  void theCreationIsKeptAndEveryChangeRecordsItsActorAndTime() {
    Scheduler scheduler = start("node-1");

    Versioned<JobDefinition> created = scheduler.createJob(job("v1"), "alice");
    assertThat(created.value().audit()).isEqualTo(new JobAudit("alice", T0, "alice", T0));

    clock.set(later(1));
    Versioned<JobDefinition> replaced =
        scheduler.putJob(job("v2"), OptionalInt.of(created.version()), "bob");
    assertThat(replaced.value().audit()).isEqualTo(new JobAudit("alice", T0, "bob", later(1)));

    clock.set(later(2));
    assertThat(scheduler.pause("nightly", "carol").value().audit())
        .isEqualTo(new JobAudit("alice", T0, "carol", later(2)));

    clock.set(later(3));
    Versioned<JobDefinition> again = scheduler.pause("nightly", "dave");
    assertThat(again.value().audit())
        .as("pausing a paused job writes nothing")
        .isEqualTo(new JobAudit("alice", T0, "carol", later(2)));

    assertThat(scheduler.resume("nightly", "erin").value().audit())
        .isEqualTo(new JobAudit("alice", T0, "erin", later(3)));

    clock.set(later(4));
    Versioned<JobDefinition> unconditional =
        scheduler.putJob(job("v3"), OptionalInt.empty(), "frank");
    assertThat(unconditional.value().audit())
        .isEqualTo(new JobAudit("alice", T0, "frank", later(4)));
    assertThat(scheduler.job("nightly").orElseThrow().value().audit())
        .isEqualTo(new JobAudit("alice", T0, "frank", later(4)));
  }

  @Test
  void withoutAnActorTheNodesMemberIdIsRecorded() {
    Scheduler scheduler = start("billing-1");

    scheduler.createJob(job("v1"));
    clock.set(later(1));
    scheduler.pause("nightly");

    assertThat(scheduler.job("nightly").orElseThrow().value().audit())
        .isEqualTo(new JobAudit("billing-1", T0, "billing-1", later(1)));
  }

  @Test
  void anAuditOnTheJobPassedInIsReplaced() {
    Scheduler scheduler = start("node-1");
    JobAudit forged = JobAudit.created("mallory", Instant.parse("2020-01-01T00:00:00Z"));

    scheduler.createJob(job("v1").withAudit(forged), "alice");
    clock.set(later(1));
    scheduler.putJob(job("v2").withAudit(forged), OptionalInt.of(0), "bob");

    assertThat(scheduler.job("nightly").orElseThrow().value().audit())
        .isEqualTo(new JobAudit("alice", T0, "bob", later(1)));
  }

  @Test
  void aJobWrittenBeforeAuditsKeepsItsCreationUnknownWhenChanged() {
    store.createJob(job("from an older release"));
    Scheduler scheduler = start("node-1");

    scheduler.putJob(job("v2"), OptionalInt.of(0), "bob");

    assertThat(scheduler.job("nightly").orElseThrow().value().audit())
        .isEqualTo(new JobAudit(null, null, "bob", T0));
  }

  @Test
  void aConflictingWriteChangesNothing() {
    Scheduler scheduler = start("node-1");
    scheduler.createJob(job("v1"), "alice");

    assertThatThrownBy(() -> scheduler.putJob(job("v2"), OptionalInt.of(7), "bob"))
        .isInstanceOf(VersionConflictException.class);

    Versioned<JobDefinition> stored = scheduler.job("nightly").orElseThrow();
    assertThat(stored.version()).isZero();
    assertThat(stored.value().audit()).isEqualTo(new JobAudit("alice", T0, "alice", T0));
  }

  @Test
  void aBlankActorIsRefusedBeforeAnythingIsWritten() {
    Scheduler scheduler = start("node-1");

    assertThatThrownBy(() -> scheduler.createJob(job("v1"), " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("actor");
    assertThat(scheduler.job("nightly")).isEmpty();

    scheduler.createJob(job("v1"), "alice");
    assertThatThrownBy(() -> scheduler.pause("nightly", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scheduler.putJob(job("v2"), OptionalInt.empty(), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(scheduler.job("nightly").orElseThrow().version()).isZero();
  }

  @Test
  void aCodeDefinedJobIsNotRewrittenWhenOnlyItsAuditDiffers() {
    start("node-1", job("in code")).close();
    clock.set(later(5));

    start("node-2", job("in code"));

    Versioned<JobDefinition> stored = node.job("nightly").orElseThrow();
    assertThat(stored.version()).as("the second node found it unchanged").isZero();
    assertThat(stored.value().audit()).isEqualTo(new JobAudit("node-1", T0, "node-1", T0));
  }
}
