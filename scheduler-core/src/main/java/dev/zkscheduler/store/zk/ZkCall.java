package dev.zkscheduler.store.zk;

import dev.zkscheduler.error.StoreUnavailableException;

/** A ZooKeeper call, which may fail with the checked exceptions of ZooKeeper and Curator. */
@FunctionalInterface
interface ZkCall<T> {

  T call() throws Exception;

  /**
   * Runs {@code call}, turning connection trouble into {@link StoreUnavailableException} so that
   * callers of the store see one exception for "ZooKeeper cannot answer now".
   */
  static <T> T run(ZkCall<T> call) {
    try {
      return call.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new StoreUnavailableException("ZooKeeper call failed: " + e, e);
    }
  }
}
