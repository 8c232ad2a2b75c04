package dev.strata.sandbox.testing;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceUsage;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.spi.AbstractSandbox;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.spi.SandboxProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider for testing core logic only (selection, feedback, pools): its "sandbox" isolates
 * nothing. It echoes argv to stdout (or to the command's stdout sink); {@code exit N} exits with
 * N; {@code status S} ends in {@link ExecStatus} S; {@code fail} throws.
 */
public class FakeProvider implements SandboxProvider {

  private final String name;
  private final IsolationLevel level;
  private final Availability availability;
  public final AtomicInteger created = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();

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
    created.incrementAndGet();
    return new AbstractSandbox(SandboxIds.newId(name), name, level, spec) {
      @Override
      protected ExecResult doExec(Command command) {
        if (command.argv().get(0).equals("fail")) {
          throw new dev.strata.sandbox.SandboxFailedException("fake failure");
        }
        String program = command.argv().get(0);
        int code = program.equals("exit") ? Integer.parseInt(command.argv().get(1)) : 0;
        ExecStatus status =
            program.equals("status") ? ExecStatus.valueOf(command.argv().get(1)) : ExecStatus.EXITED;
        byte[] out = String.join(" ", command.argv()).getBytes(StandardCharsets.UTF_8);
        if (command.stdoutSink().isPresent()) {
          try {
            command.stdoutSink().get().write(out);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          out = new byte[0];
        }
        return new ExecResult(
            status, code, out, new byte[0], Duration.ofMillis(1),
            status == ExecStatus.EXITED ? null : "fake " + status, ResourceUsage.unknown());
      }

      @Override
      protected void doClose() {
        closed.incrementAndGet();
      }
    };
  }
}
