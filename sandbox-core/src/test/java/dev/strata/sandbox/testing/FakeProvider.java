package dev.strata.sandbox.testing;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceUsage;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFailedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.spi.AbstractSandbox;
import dev.strata.sandbox.spi.Resettable;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.spi.SandboxProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider for testing core logic only (selection, feedback, pools): its "sandbox" isolates
 * nothing. Programs: anything else echoes argv to stdout (or to the command's stdout sink); {@code
 * exit N} exits with N; {@code status S} ends in {@link ExecStatus} S; {@code fail} throws; {@code
 * put X} keeps X in the sandbox's state and {@code get} prints it (to see state leak between
 * pool leases); {@code sleep MS} sleeps.
 */
public class FakeProvider implements SandboxProvider {

  private final String name;
  private final IsolationLevel level;
  private final Availability availability;
  private volatile boolean resettable;
  private volatile int createDelayMillis;
  private volatile int resetDelayMillis;
  public final AtomicInteger created = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();
  public final AtomicInteger resets = new AtomicInteger();

  public FakeProvider(String name, IsolationLevel level, Availability availability) {
    this.name = name;
    this.level = level;
    this.availability = availability;
  }

  public static FakeProvider available(String name, IsolationLevel level) {
    return new FakeProvider(name, level, Availability.ok());
  }

  public static FakeProvider unavailable(String name, IsolationLevel level, String why, String fix) {
    return new FakeProvider(name, level, Availability.unavailable(why, fix));
  }

  /** Sandboxes made from now on implement {@link Resettable}. */
  public FakeProvider resettable() {
    this.resettable = true;
    return this;
  }

  /** Each create takes this long, like a real cold start. */
  public FakeProvider withCreateDelay(int millis) {
    this.createDelayMillis = millis;
    return this;
  }

  /** Each reset takes this long. */
  public FakeProvider withResetDelay(int millis) {
    this.resetDelayMillis = millis;
    return this;
  }

  /** Live sandboxes: created and not yet closed. */
  public int live() {
    return created.get() - closed.get();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public IsolationLevel isolationLevel() {
    return level;
  }

  @Override
  public Availability availability(HardwareProfile host) {
    return availability;
  }

  @Override
  public Sandbox create(SandboxSpec spec, HardwareProfile host) {
    if (createDelayMillis > 0) {
      sleep(createDelayMillis);
    }
    created.incrementAndGet();
    String id = SandboxIds.newId(name);
    return resettable ? new ResettableFake(id, spec) : new Fake(id, spec);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  class Fake extends AbstractSandbox {
    final StringBuffer state = new StringBuffer();

    Fake(String id, SandboxSpec spec) {
      super(id, name, level, spec);
    }

    @Override
    protected ExecResult doExec(Command command) {
      String program = command.argv().get(0);
      switch (program) {
        case "fail":
          throw new SandboxFailedException("fake failure");
        case "put":
          state.append(command.argv().get(1));
          return result(ExecStatus.EXITED, 0, "");
        case "get":
          return result(ExecStatus.EXITED, 0, state.toString());
        case "sleep":
          FakeProvider.sleep(Long.parseLong(command.argv().get(1)));
          return result(ExecStatus.EXITED, 0, "");
        case "exit":
          return result(ExecStatus.EXITED, Integer.parseInt(command.argv().get(1)), "");
        case "status":
          return result(ExecStatus.valueOf(command.argv().get(1)), 0, "");
        default:
          String out = String.join(" ", command.argv());
          if (command.stdoutSink().isPresent()) {
            try {
              command.stdoutSink().get().write(out.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            out = "";
          }
          return result(ExecStatus.EXITED, 0, out);
      }
    }

    private ExecResult result(ExecStatus status, int code, String out) {
      return new ExecResult(
          status, code, out.getBytes(StandardCharsets.UTF_8), new byte[0], Duration.ofMillis(1),
          status == ExecStatus.EXITED ? null : "fake " + status, ResourceUsage.unknown());
    }

    @Override
    protected void doClose() {
      closed.incrementAndGet();
    }
  }

  class ResettableFake extends Fake implements Resettable {
    ResettableFake(String id, SandboxSpec spec) {
      super(id, spec);
    }

    @Override
    public void reset() {
      if (resetDelayMillis > 0) {
        FakeProvider.sleep(resetDelayMillis);
      }
      resets.incrementAndGet();
      state.setLength(0);
    }
  }
}
