package dev.strata.sandbox.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The daemon threads behind {@code execAsync}: they wait on payloads, they do not compute. */
public final class AsyncExecutor {

  private static final ExecutorService EXECUTOR =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "strata-exec-async");
            t.setDaemon(true);
            return t;
          });

  private AsyncExecutor() {}

  public static ExecutorService get() {
    return EXECUTOR;
  }
}
