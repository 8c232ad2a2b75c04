package dev.strata.sandbox;

import java.util.Map;

/**
 * Status feedback on one live sandbox ({@link SandboxFactory#sandboxes()}).
 *
 * @param id the sandbox id
 * @param backend the backend that made it
 * @param level its isolation
 * @param state its state now
 * @param stats its totals, memory and last error
 * @param labels the spec's labels
 */
public record SandboxStatus(
    String id,
    String backend,
    IsolationLevel level,
    SandboxState state,
    SandboxStats stats,
    Map<String, String> labels) {}
