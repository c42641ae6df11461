package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A new leader's definitions from its watch, reconciled with the ids the store lists. */
class DefinitionSourceTest {

  private static JobDefinition job(String id) {
    return JobDefinition.builder(id).task("t", "noop").build();
  }

  @Test
  void jobsTheWatchHasNotSeenAreReadAndJobsGoneFromTheStoreAreLeftOut() {
    InMemorySchedulerStore store = new InMemorySchedulerStore();
    Versioned<JobDefinition> kept = store.createJob(job("kept"));
    store.createJob(job("created-since"));
    List<Versioned<JobDefinition>> watched =
        List.of(kept, new Versioned<>(job("deleted-since"), 3));

    List<Versioned<JobDefinition>> all = DefinitionSource.reconcile(watched, store);

    assertThat(all)
        .extracting(v -> v.value().id())
        .containsExactlyInAnyOrder("kept", "created-since");
    assertThat(all).contains(kept);
  }

  /** A definition no node can read is left out of the plan; it used to fail the whole rebuild. */
  @Test
  void aJobThatCannotBeReadIsLeftOutAndTheOthersArePlanned() {
    InMemorySchedulerStore memory = new InMemorySchedulerStore();
    RecordingStore store = new RecordingStore(memory);
    Versioned<JobDefinition> kept = store.createJob(job("kept"));
    store.createJob(job("broken"));
    store.createJob(job("new"));
    store.unreadable("broken"::equals);

    List<Versioned<JobDefinition>> all = DefinitionSource.reconcile(List.of(kept), store);

    assertThat(all).extracting(v -> v.value().id()).containsExactlyInAnyOrder("kept", "new");
  }

  @Test
  void aWatchFarBehindTheStoreIsNotTrustedAndEverythingIsRead() {
    InMemorySchedulerStore store = new InMemorySchedulerStore();
    Versioned<JobDefinition> stale = store.createJob(job("a"));
    store.putJob(
        JobDefinition.builder("a").task("t", "noop").paused(true).build(),
        java.util.OptionalInt.of(0));
    for (int i = 0; i <= DefinitionSource.MAX_SINGLE_READS; i++) {
      store.createJob(job("bulk-" + i));
    }

    List<Versioned<JobDefinition>> all = DefinitionSource.reconcile(List.of(stale), store);

    assertThat(all).hasSize(DefinitionSource.MAX_SINGLE_READS + 2);
    assertThat(all)
        .filteredOn(v -> v.value().id().equals("a"))
        .singleElement()
        .satisfies(v -> assertThat(v.version()).isEqualTo(1));
  }
}
