package dev.strata.sandbox.wasm.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a WASI guest may see: argv, environment, stdio and preopened directories. Deny by default:
 * no arguments, no environment, empty stdin, discarded output, no directories.
 */
public final class WasiConfig {

  /** A host directory preopened in the guest under {@code guestPath}. */
  public record Preopen(
      String guestPath, Path hostDir, boolean readOnly, @Nullable WriteQuota quota) {
    public Preopen {
      Objects.requireNonNull(guestPath, "guestPath");
      Objects.requireNonNull(hostDir, "hostDir");
    }

    public Preopen(String guestPath, Path hostDir, boolean readOnly) {
      this(guestPath, hostDir, readOnly, null);
    }
  }

  final List<String> args;
  final Map<String, String> env;
  final InputStream stdin;
  final OutputStream stdout;
  final OutputStream stderr;
  final List<Preopen> preopens;

  private WasiConfig(Builder b) {
    this.args = List.copyOf(b.args);
    this.env = new LinkedHashMap<>(b.env);
    this.stdin = b.stdin;
    this.stdout = b.stdout;
    this.stderr = b.stderr;
    this.preopens = List.copyOf(b.preopens);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link WasiConfig}. */
  public static final class Builder {
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private InputStream stdin = InputStream.nullInputStream();
    private OutputStream stdout = OutputStream.nullOutputStream();
    private OutputStream stderr = OutputStream.nullOutputStream();
    private final List<Preopen> preopens = new ArrayList<>();

    private Builder() {}

    public Builder withArgs(List<String> args) {
      this.args.clear();
      this.args.addAll(args);
      return this;
    }

    public Builder withEnv(Map<String, String> env) {
      this.env.clear();
      this.env.putAll(env);
      return this;
    }

    public Builder withStdin(InputStream stdin) {
      this.stdin = Objects.requireNonNull(stdin);
      return this;
    }

    public Builder withStdout(OutputStream stdout) {
      this.stdout = Objects.requireNonNull(stdout);
      return this;
    }

    public Builder withStderr(OutputStream stderr) {
      this.stderr = Objects.requireNonNull(stderr);
      return this;
    }

    public Builder withPreopen(String guestPath, Path hostDir, boolean readOnly) {
      preopens.add(new Preopen(guestPath, hostDir, readOnly));
      return this;
    }

    public Builder withPreopens(List<Preopen> preopens) {
      this.preopens.addAll(preopens);
      return this;
    }

    public WasiConfig build() {
      return new WasiConfig(this);
    }
  }
}
