package dev.strata.sandbox.samples.plugins;

import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How one plugin call ended, as the server reports it.
 *
 * @param plugin the plugin's name
 * @param kind {@code wasm} or {@code native}
 * @param isolation the tier the plugin ran on
 * @param status how the call ended; {@code EXITED} with code 0 is a success
 * @param exitCode the exit code for {@code EXITED}, otherwise -1
 * @param output what the plugin returned or wrote to stdout (capped)
 * @param message what the sandbox says about a call it stopped, or the plugin's stderr
 * @param duration how long the call took
 */
public record PluginResult(
    String plugin,
    String kind,
    IsolationLevel isolation,
    ExecStatus status,
    int exitCode,
    byte[] output,
    @Nullable String message,
    Duration duration) {

  /** The most output bytes put into a JSON response; the rest is counted, not shown. */
  static final int SHOWN_OUTPUT_BYTES = 4096;

  public boolean isSuccess() {
    return status == ExecStatus.EXITED && exitCode == 0;
  }

  /**
   * The HTTP status for this result: 200 for a success, 504 when the plugin was stopped for
   * taking too long, 502 for every other plugin failure (the server itself is fine).
   */
  public int httpStatus() {
    if (isSuccess()) {
      return 200;
    }
    return status == ExecStatus.TIMED_OUT || status == ExecStatus.FUEL_EXHAUSTED ? 504 : 502;
  }

  String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("plugin", plugin);
    m.put("kind", kind);
    m.put("isolation", isolation.name());
    m.put("status", status.name());
    m.put("exitCode", exitCode);
    m.put("millis", duration.toMillis());
    m.put("outputBytes", output.length);
    int shown = Math.min(output.length, SHOWN_OUTPUT_BYTES);
    m.put("output", new String(output, 0, shown, StandardCharsets.UTF_8));
    m.put("message", message);
    return Json.object(m);
  }
}
