package dev.strata.sandbox.linux.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line of an OCI runtime ({@code runc} or {@code crun}: they share it), with its own
 * state directory ({@code --root}) so that Strata's containers stay apart from others'. Internal.
 */
public final class OciRuntime {

  /** What a runtime call printed and how it ended. */
  public record Outcome(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private static final long CALL_TIMEOUT_SECONDS = 30;

  private final String name;
  private final Path binary;
  private final Path stateRoot;
  private final boolean rootless;

  public OciRuntime(String name, Path binary, Path stateRoot, boolean rootless) {
    this.name = name;
    this.binary = binary;
    this.stateRoot = stateRoot;
    this.rootless = rootless;
  }

  /** {@code runc} or {@code crun}. */
  public String name() {
    return name;
  }

  public Path binary() {
    return binary;
  }

  public Path stateRoot() {
    return stateRoot;
  }

  public boolean rootless() {
    return rootless;
  }

  /** The command prefix: binary and global flags. */
  public List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("--root");
    cmd.add(stateRoot.toString());
    if (rootless) {
      cmd.add("--rootless=true");
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Starts {@code id} from {@code bundle} detached: PID 1 keeps {@code stdin} and {@code stdout}
   * (the pipes to its owner); the runtime's own messages go to {@code log}.
   */
  public Outcome runDetached(String id, Path bundle, File stdin, File stdout, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            command("run", "--detach", "--bundle", bundle.toString(), "--pid-file",
                bundle.resolve("init.pid").toString(), id));
    pb.redirectInput(ProcessBuilder.Redirect.from(stdin));
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stdout));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    int code = waitFor(p);
    String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8).strip() : "";
    return new Outcome(code, out);
  }

  /** {@code exec --process <json> --pid-file <file> <id>}, not yet started. */
  public ProcessBuilder exec(String id, Path processJson, Path pidFile) {
    return new ProcessBuilder(
        command("exec", "--process", processJson.toString(), "--pid-file", pidFile.toString(), id));
  }

  /** {@code kill [--all] <id> KILL}. */
  public Outcome kill(String id, boolean all) {
    return all ? call("kill", "--all", id, "KILL") : call("kill", id, "KILL");
  }

  /** {@code delete --force <id>}: kills what is left and removes the state and the cgroup. */
  public Outcome deleteForce(String id) {
    return call("delete", "--force", id);
  }

  /** The ids of the containers in this runtime's state directory. */
  public List<String> list(ObjectMapper json) {
    Outcome out = call("list", "--format", "json");
    List<String> ids = new ArrayList<>();
    if (!out.ok()) {
      return ids;
    }
    try {
      JsonNode tree = json.readTree(out.output().isEmpty() ? "[]" : out.output());
      if (tree != null && tree.isArray()) {
        for (JsonNode c : tree) {
          ids.add(c.path("id").asText());
        }
      }
    } catch (IOException e) {
      // a runtime that prints warnings before its JSON: no ids rather than a crash
    }
    return ids;
  }

  /** {@code --version}'s first line. */
  public String version() {
    Outcome out = callRaw(List.of(binary.toString(), "--version"));
    return out.output().lines().findFirst().orElse(name);
  }

  /** Runs one runtime call to its end. */
  public Outcome call(String... args) {
    return callRaw(command(args));
  }

  private static Outcome callRaw(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      int code = waitFor(p);
      return new Outcome(code, new String(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Outcome(-1, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private static int waitFor(Process p) throws IOException {
    try {
      if (!p.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("the runtime did not answer within " + CALL_TIMEOUT_SECONDS + " s");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the runtime", e);
    }
  }
}
