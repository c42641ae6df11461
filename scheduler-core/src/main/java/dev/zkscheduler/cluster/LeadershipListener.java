package dev.zkscheduler.cluster;

/** Told when this node's terms start and end; see {@link Leadership#addListener}. */
public interface LeadershipListener {

  void termStarted(LeaderTerm term);

  void termEnded(LeaderTerm term, String reason);
}
