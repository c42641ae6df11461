package dev.zkscheduler.store.zk;

/** Test access to {@link FencedTransaction}'s pause point. */
public final class FencedTransactions {

  private FencedTransactions() {}

  /** Runs {@code hook} in every commit after the local term check, before the multi is sent. */
  public static void beforeSubmit(FencedTransaction transaction, Runnable hook) {
    transaction.setBeforeSubmit(hook);
  }
}
