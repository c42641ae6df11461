package dev.zkscheduler.store;

import dev.zkscheduler.cluster.LeaderTerm;
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
