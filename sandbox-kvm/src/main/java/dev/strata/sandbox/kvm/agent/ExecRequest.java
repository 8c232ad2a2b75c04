package dev.strata.sandbox.kvm.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the agent runs: argv, the complete environment (nothing is inherited from the agent), the
 * working directory, the guest-side timeout after which the agent kills the process group, and the
 * most processes (and threads) the command may have at once (the guest's pids cgroup; 0 for no limit).
 */
public record ExecRequest(
    List<String> argv, Map<String, String> environment, String workingDirectory, Duration timeout, int maxProcesses) {

  public ExecRequest {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
      out.writeInt(Math.max(0, maxProcesses));
      out.writeInt(argv.size());
      for (String arg : argv) {
        string(out, arg);
      }
      out.writeInt(environment.size());
      for (Map.Entry<String, String> e : environment.entrySet()) {
        string(out, e.getKey() + "=" + e.getValue());
      }
      string(out, workingDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
