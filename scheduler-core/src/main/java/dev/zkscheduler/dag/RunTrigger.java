package dev.zkscheduler.dag;

/** Why a run exists. */
public enum RunTrigger {
  SCHEDULE,
  MANUAL,
  CATCH_UP,
  BACKFILL
}
