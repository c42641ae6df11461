package dev.zkscheduler.engine;

import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.SchedulerStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where a new leader gets the job definitions its plan starts from. A backend with a watch on the
 * definitions offers {@link #watched}; otherwise {@link #store} reads them all.
 */
@FunctionalInterface
public interface DefinitionSource {

  List<Versioned<JobDefinition>> all();

  /** Every definition read from the store. */
  static DefinitionSource store(SchedulerStore store) {
    return store::allJobs;
  }

  /**
   * The definitions this node's watch already holds, reconciled with the job ids listed in the
   * store: jobs the watch has not seen yet are read, jobs gone from the store are left out. A new
   * leader with 100,000 jobs otherwise reads every definition again (half of a takeover's reads in
   * scheduler-bench). An edit still in flight to the watch reaches the plan when the watch reports
   * it, as an edit made just after a read from the store would.
   */
  static DefinitionSource watched(
      Supplier<Optional<List<Versioned<JobDefinition>>>> watched, SchedulerStore store) {
    return () -> watched.get().map(cached -> reconcile(cached, store)).orElseGet(store::allJobs);
  }

  static List<Versioned<JobDefinition>> reconcile(
      List<Versioned<JobDefinition>> cached, SchedulerStore store) {
    Set<String> ids = store.allJobIds();
    List<Versioned<JobDefinition>> all = new ArrayList<>(ids.size());
    Set<String> seen = new HashSet<>();
    for (Versioned<JobDefinition> job : cached) {
      if (ids.contains(job.value().id())) {
        all.add(job);
        seen.add(job.value().id());
      }
    }
    List<String> unseen = new ArrayList<>();
    for (String id : ids) {
      if (!seen.contains(id)) {
        unseen.add(id);
      }
    }
    if (unseen.size() > MAX_SINGLE_READS) {
      // The watch is far behind (a bulk import in flight): one pipelined read of everything is
      // faster than thousands of single reads.
      return store.allJobs();
    }
    for (String id : unseen) {
      try {
        store.job(id).ifPresent(all::add);
      } catch (StoreUnavailableException e) {
        throw e;
      } catch (RuntimeException unreadable) {
        // The watch left it out for the same reason (counted and logged there): a definition no
        // node can read must not stop a new leader from planning every other job.
        org.slf4j.LoggerFactory.getLogger(DefinitionSource.class)
            .error(
                "job {} cannot be read and is left out of the plan: {}", id, unreadable.toString());
      }
    }
    return all;
  }

  /** Jobs missing from the watch that are read one by one; beyond this, everything is read. */
  int MAX_SINGLE_READS = 200;
}
