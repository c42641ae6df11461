package dev.zkscheduler.backend;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Leadership for a single process on an {@link InMemorySchedulerStore}: this node always leads.
 * Ending a term (after a fencing refusal, which cannot happen here) takes a new one.
 */
final class LocalLeadership implements Leadership {

  private final InMemorySchedulerStore store;
  private final String memberId;
  private final Clock clock;
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private volatile LeaderTerm term;

  LocalLeadership(InMemorySchedulerStore store, String memberId, Clock clock) {
    this.store = store;
    this.memberId = memberId;
    this.clock = clock;
    this.term = store.newTerm(memberId, clock.instant());
  }

  @Override
  public Optional<LeaderTerm> currentTerm() {
    return Optional.of(term);
  }

  @Override
  public void addListener(LeadershipListener listener) {
    listeners.add(listener);
  }

  @Override
  public synchronized void endTerm(LeaderTerm ended, String reason) {
    if (ended == term) {
      listeners.forEach(l -> l.termEnded(ended, reason));
      term = store.newTerm(memberId, clock.instant());
      listeners.forEach(l -> l.termStarted(term));
    }
  }
}
