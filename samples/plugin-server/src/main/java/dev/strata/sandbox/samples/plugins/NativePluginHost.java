package dev.strata.sandbox.samples.plugins;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import java.nio.file.Path;

/**
 * A native plugin (a script or a static program): its own long-lived PROCESS sandbox, with the
 * plugin's directory mounted read-only at {@code /plugin}; each call is one command with the
 * request body as stdin. A sandbox that failed is replaced before the next call.
 */
final class NativePluginHost implements LoadedPlugin {

  static final String PROGRAM = "/plugin/run";

  private final String name;
  private final SandboxFactory factory;
  private final SandboxSpec spec;
  private Sandbox sandbox;

  private NativePluginHost(String name, SandboxFactory factory, SandboxSpec spec) {
    this.name = name;
    this.factory = factory;
    this.spec = spec;
    this.sandbox = factory.create(spec);
  }

  /**
   * Starts the plugin's sandbox.
   *
   * @param directory holds the plugin as {@code run}, executable
   */
  static NativePluginHost start(String name, SandboxFactory factory, SandboxSpec base, Path directory) {
    SandboxSpec spec = base.toBuilder().withMount(Mount.readOnly(directory, "/plugin")).build();
    return new NativePluginHost(name, factory, spec);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "native";
  }

  @Override
  public PluginResult call(byte[] input) {
    Sandbox sb = current();
    ExecResult r = sb.exec(Command.of(PROGRAM).withStdin(input));
    String message = r.message();
    if (message == null && !r.isSuccess() && r.stderr().length > 0) {
      message = r.stderrText().strip();
    }
    return new PluginResult(
        name, kind(), sb.isolationLevel(), r.status(), r.exitCode(), r.stdout(), message, r.duration());
  }

  private synchronized Sandbox current() {
    if (sandbox.state() == SandboxState.FAILED || sandbox.state() == SandboxState.CLOSED) {
      sandbox.close();
      sandbox = factory.create(spec);
    }
    return sandbox;
  }

  @Override
  public synchronized void close() {
    sandbox.close();
  }
}
