package dev.strata.sandbox.cli;

import dev.strata.sandbox.SandboxFactory;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code strata}: the SDK from a shell. {@code strata doctor} reports the host and the backends,
 * {@code strata run} runs one program in a sandbox, {@code strata demo} shows every tier.
 */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = StrataCli.Version.class,
    description = "Run programs behind WebAssembly, container or microVM isolation.",
    subcommands = {CommandLine.HelpCommand.class})
public final class StrataCli implements Runnable {

  final Supplier<SandboxFactory.Builder> factories;
  final PrintStream out;
  final PrintStream err;
  final InputStream in;

  StrataCli(Supplier<SandboxFactory.Builder> factories, PrintStream out, PrintStream err, InputStream in) {
    this.factories = factories;
    this.out = out;
    this.err = err;
    this.in = in;
  }

  public static void main(String[] args) {
    System.exit(new StrataCli(SandboxFactory::builder, System.out, System.err, System.in).execute(args));
  }

  /** Runs the command line and returns the exit code. */
  int execute(String... args) {
    CommandLine cl = new CommandLine(this);
    cl.addSubcommand("doctor", new DoctorCommand(this));
    cl.addSubcommand("run", new RunCommand(this));
    cl.addSubcommand("demo", new DemoCommand(this));
    // options after PROGRAM belong to the program: `strata run qjs.wasm -e 'code'`
    cl.setStopAtPositional(true);
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("strata: " + ex.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr())) {
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
          }
          // like `docker run`: 125 means the run itself was wrong, not the payload
          return cmd.getCommand() instanceof RunCommand ? ExitCodes.SANDBOX_ERROR : 2;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StrataCli.class.getPackage().getImplementationVersion();
      return new String[] {"strata " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
