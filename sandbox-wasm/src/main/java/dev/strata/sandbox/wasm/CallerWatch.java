package dev.strata.sandbox.wasm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of calls that run on the caller's own thread (plugin calls, where a hand-off to a
 * pool thread would cost more than the call). One daemon thread looks at every registered watch
 * each millisecond and interrupts a thread past its deadline; compiled code checks the interrupt
 * on every loop back-edge, the interpreter's listener checks {@link #running()}. A call costs two
 * volatile writes and a CAS, no clock read; {@link #end()} clears an interrupt aimed at the call, so none leaks
 * into the caller's later work.
 */
final class CallerWatch {

  private static final int IDLE = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;
  private static final int STOPPED = 3;
  private static final VarHandle STATE;
  private static final Set<CallerWatch> WATCHES = ConcurrentHashMap.newKeySet();

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(CallerWatch.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    Thread t = new Thread(CallerWatch::watchLoop, "strata-wasm-caller-watch");
    t.setDaemon(true);
    t.start();
  }

  private volatile int state;
  private long timeoutNanos;
  private volatile long callId;
  private Thread thread;
  // read and written by the watch thread only
  private long seenCallId = -1;
  private long seenAt;

  CallerWatch() {
    this.thread = Thread.currentThread();
  }

  void register() {
    WATCHES.add(this);
  }

  void unregister() {
    WATCHES.remove(this);
  }

  /** Starts a call on this thread that must end within {@code timeoutNanos}. */
  void begin(long timeoutNanos) {
    // no clock read here: the watch thread notes when it first sees the call, so a deadline is
    // never early and at most one tick late
    thread = Thread.currentThread();
    this.timeoutNanos = timeoutNanos;
    callId = callId + 1;
    state = RUNNING;
  }

  /** Whether the current call may go on. */
  boolean running() {
    return state == RUNNING;
  }

  /** Whether the watchdog stopped the current call (valid until {@link #end()}). */
  boolean expired() {
    int s = state;
    return s == STOPPING || s == STOPPED;
  }

  /** Ends the call; true if it had run past its deadline (the interrupt is then cleared). */
  boolean end() {
    if (STATE.compareAndSet(this, RUNNING, IDLE)) {
      return false;
    }
    while (state == STOPPING) {
      Thread.onSpinWait();
    }
    state = IDLE;
    Thread.interrupted();
    return true;
  }

  private static void watchLoop() {
    while (true) {
      try {
        TimeUnit.MILLISECONDS.sleep(1);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (CallerWatch w : WATCHES) {
        if (w.state != RUNNING) {
          continue;
        }
        long id = w.callId;
        if (id != w.seenCallId) {
          w.seenCallId = id;
          w.seenAt = now;
        } else if (now - w.seenAt > w.timeoutNanos && STATE.compareAndSet(w, RUNNING, STOPPING)) {
          w.thread.interrupt();
          w.state = STOPPED;
        }
      }
    }
  }
}
