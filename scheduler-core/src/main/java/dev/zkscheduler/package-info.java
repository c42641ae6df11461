/** zk-scheduler: a job scheduler for JVM clusters, coordinated by ZooKeeper. */
package dev.zkscheduler;
