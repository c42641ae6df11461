package dev.zkscheduler.store.memory;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.SchedulerStoreContract;
import org.junit.jupiter.api.BeforeEach;

class InMemorySchedulerStoreTest extends SchedulerStoreContract {

  private InMemorySchedulerStore store;
  private LeaderTerm current;

  @BeforeEach
  void newStore() {
    store = new InMemorySchedulerStore();
    current = store.newTerm("a", T);
  }

  @Override
  protected SchedulerStore store() {
    return store;
  }

  @Override
  protected LeaderTerm term() {
    return current;
  }

  @Override
  protected LeaderTerm staleTerm() {
    LeaderTerm stale = current;
    current = store.newTerm("b", T);
    return stale;
  }
}
