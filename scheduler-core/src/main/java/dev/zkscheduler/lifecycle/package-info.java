/**
 * The start-once, close-idempotently state every startable part of a node shares. A leaf package:
 * it depends on nothing else of the scheduler, so the engine, the ZooKeeper parts and the facade
 * may all use it without creating a cycle.
 */
package dev.zkscheduler.lifecycle;
