/**
 * Health checks of a scheduler node, as Dropwizard Metrics {@code HealthCheck}s any embedder can
 * register: the tick loop is alive, ZooKeeper is reachable, this node's idea of leadership matches
 * the cluster's, and its clock agrees with ZooKeeper's. They read state and never write.
 */
package dev.zkscheduler.health;
