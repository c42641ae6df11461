package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Clock;
import java.util.Optional;

/** Leadership granted and revoked by the test, with terms from an in-memory store. */
public final class ManualLeadership implements Leadership {

  private final InMemorySchedulerStore store;
  private final String memberId;
  private final Clock clock;
  private volatile LeaderTerm term;

  public ManualLeadership(InMemorySchedulerStore store, String memberId, Clock clock) {
    this.store = store;
    this.memberId = memberId;
    this.clock = clock;
  }

  /** A new term (and epoch): every other holder's term goes stale. */
  public LeaderTerm grant() {
    term = store.newTerm(memberId, clock.instant());
    return term;
  }

  public void revoke() {
    term = null;
  }

  @Override
  public Optional<LeaderTerm> currentTerm() {
    LeaderTerm t = term;
    return t != null && t.isCurrent() ? Optional.of(t) : Optional.empty();
  }

  @Override
  public void addListener(LeadershipListener listener) {}

  @Override
  public void endTerm(LeaderTerm ended, String reason) {
    if (ended == term) {
      term = null;
    }
  }
}
