/**
 * The exceptions the scheduler's facade throws, all {@link
 * dev.zkscheduler.error.SchedulerException}. A leaf package: it depends on nothing else of the
 * scheduler, so every layer may throw them.
 */
package dev.zkscheduler.error;
