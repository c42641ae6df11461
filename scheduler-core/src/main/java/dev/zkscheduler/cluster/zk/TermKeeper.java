package dev.zkscheduler.cluster.zk;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.LeadershipListener;
import dev.zkscheduler.metrics.Gauges;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.zk.ZkLeaderTerm;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's current term and the listeners told when terms start and end, shared by both ways of
 * leading ({@link LeaderElection}, {@link SoloLeadership}); also their leader/epoch gauges and the
 * terms counter. Callers start and end terms on their single events thread; reads are thread-safe.
 */
final class TermKeeper {

  private static final Logger log = LoggerFactory.getLogger(TermKeeper.class);

  private final String memberId;
  private final AtomicReference<ZkLeaderTerm> current = new AtomicReference<>();
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong lastEpoch = new AtomicLong(-1);
  private final Counter termsStarted;

  TermKeeper(String memberId, MetricRegistry registry) {
    this.memberId = memberId;
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    this.termsStarted = metrics.counter(MetricNames.TERMS_STARTED);
    Gauges.replace(metrics, MetricNames.LEADER, () -> currentTerm().isPresent() ? 1 : 0);
    Gauges.replace(metrics, MetricNames.EPOCH, lastEpoch::get);
  }

  /** Whether this node holds a term, current or not yet ended. */
  boolean holding() {
    return current.get() != null;
  }

  /** Is {@code term} the one held now? */
  boolean holds(LeaderTerm term) {
    return current.get() == term;
  }

  void started(ZkLeaderTerm term, String how) {
    current.set(term);
    lastEpoch.set(term.epoch());
    termsStarted.inc();
    log.info("{} leads{}: term with epoch {}", memberId, how, term.epoch());
    for (LeadershipListener listener : listeners) {
      notify(() -> listener.termStarted(term));
    }
  }

  /** Ends the held term, if any, and tells the listeners; idempotent. */
  void end(String reason) {
    ZkLeaderTerm term = current.getAndSet(null);
    if (term != null && term.end()) {
      log.warn("{} ends its term with epoch {}: {}", memberId, term.epoch(), reason);
      for (LeadershipListener listener : listeners) {
        notify(() -> listener.termEnded(term, reason));
      }
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("leadership listener failed", e);
    }
  }

  Optional<LeaderTerm> currentTerm() {
    ZkLeaderTerm term = current.get();
    return term != null && term.isCurrent() ? Optional.of(term) : Optional.empty();
  }

  void addListener(LeadershipListener listener) {
    listeners.add(listener);
  }
}
