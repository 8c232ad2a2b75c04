package dev.strata.sandbox.bench.report;

import static dev.strata.sandbox.bench.report.BenchNames.api;
import static dev.strata.sandbox.bench.report.BenchNames.density;
import static dev.strata.sandbox.bench.report.BenchNames.memory;
import static dev.strata.sandbox.bench.report.BenchNames.tier;

import java.util.List;

/**
 * Every claim the report checks: the project table's nominal claims (ms/s/min, under 1 MB/MB/GB,
 * 100k+/100–1000/10–100 per host) and the stricter targets of issues 3–6.
 */
public final class Claims {

  private static final double US = 1e3;
  private static final double MS = 1e6;
  private static final double S = 1e9;
  private static final double KIB = 1024;
  private static final double MIB = 1024 * 1024;
  /** The table says MB and GB: decimal units, read strictly. */
  private static final double MB = 1e6;

  private static final double GB = 1e9;

  private static final String PB = BenchNames.baseline(BenchNames.RAW_PROCESS_BUILDER);

  private Claims() {}

  /** The claims in report order: per tier, nominal first. */
  public static List<Claim> all() {
    return List.of(
        // ---- INSTRUCTION (sandbox-wasm) ----
        new Claim("wasm.nominal.startup", "wasm", "nominal", "starts in milliseconds (create + exec + close)",
            Quantity.TIME, new Rule.Band(1 * MS, 1000 * MS, false),
            List.of(tier("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE), api("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("wasm", BenchNames.RAW_CREATE_EXEC_CLOSE), BenchNames.baseline(BenchNames.RAW_CHICORY_CREATE_RUN)), false),
        new Claim("wasm.nominal.memory", "wasm", "nominal", "< 1 MB each (retained heap per idle 1-page instance)",
            Quantity.BYTES, new Rule.Band(0, 1 * MB, false),
            List.of(memory("wasm", "perInstance"), memory("wasm", "perSandbox")), List.of(), false),
        new Claim("wasm.nominal.density", "wasm", "nominal", "100,000+ per host",
            Quantity.COUNT, new Rule.AtLeast(100_000),
            List.of(density("wasm", "perHost")), List.of(), false),
        new Claim("wasm.instantiate-cached", "wasm", "issue #3", "instantiate from the cache ≤ 50 µs median",
            Quantity.TIME, new Rule.AtMost(50 * US),
            List.of(tier("wasm", BenchNames.OURS_INSTANTIATE_CACHED)),
            List.of(tier("wasm", BenchNames.RAW_INSTANTIATE)), false),
        new Claim("wasm.retained-heap", "wasm", "issue #3", "≤ 70 KiB retained heap per idle 1-page sandbox (instance kept)",
            Quantity.BYTES, new Rule.AtMost(70 * KIB),
            List.of(memory("wasm", "perInstance"), memory("wasm", "perSandbox")), List.of(), false),
        new Claim("wasm.live-100k", "wasm", "issue #3", "100,000 live sandboxes in one JVM (-Xmx12g)",
            Quantity.COUNT, new Rule.AtLeast(100_000),
            List.of(density("wasm", "held")), List.of(), false),
        new Claim("wasm.overhead.cold", "wasm", "issue #3", "our API ≤ 1.10× raw Chicory (create + exec + close)",
            Quantity.TIME, new Rule.RatioAtMost(1.10),
            List.of(tier("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE), api("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("wasm", BenchNames.RAW_CREATE_EXEC_CLOSE), BenchNames.baseline(BenchNames.RAW_CHICORY_CREATE_RUN)), false),
        new Claim("wasm.overhead.call", "wasm", "issue #3", "our API ≤ 1.10× raw Chicory (exported-function call)",
            Quantity.TIME, new Rule.RatioAtMost(1.10),
            List.of(tier("wasm", BenchNames.OURS_CALL)),
            List.of(tier("wasm", BenchNames.RAW_CALL)), false),
        new Claim("wasm.pool.acquire", "wasm", "issue #6", "warm pool acquire ≤ 20 µs",
            Quantity.TIME, new Rule.AtMost(20 * US),
            List.of(tier("wasm", BenchNames.OURS_POOLED_ACQUIRE), api("wasm", BenchNames.OURS_POOLED_ACQUIRE)),
            List.of(tier("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE), api("wasm", BenchNames.OURS_CREATE_EXEC_CLOSE)), false),

        // ---- PROCESS (sandbox-linux) ----
        new Claim("linux.nominal.startup", "linux", "nominal", "starts in seconds (create + exec /bin/true + close)",
            Quantity.TIME, new Rule.Band(1 * S, 60 * S, false),
            List.of(tier("linux", BenchNames.OURS_CREATE_EXEC_CLOSE), api("linux", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("linux", BenchNames.RAW_RUNC_RUN), tier("linux", BenchNames.RAW_BWRAP), PB), false),
        new Claim("linux.nominal.memory", "linux", "nominal", "megabytes each (host memory per idle sandbox)",
            Quantity.BYTES, new Rule.Band(1 * MB, 1 * GB, false),
            List.of(memory("linux", "perSandbox")), List.of(), false),
        new Claim("linux.nominal.density", "linux", "nominal", "100–1000 per host",
            Quantity.COUNT, new Rule.Band(100, 1000, true),
            List.of(density("linux", "perHost")), List.of(), false),
        new Claim("linux.cold.vs-runc", "linux", "issue #4", "cold create-to-first-exec ≤ 1.2× raw `runc run`",
            Quantity.TIME, new Rule.RatioAtMost(1.2),
            List.of(tier("linux", BenchNames.OURS_CREATE_EXEC_CLOSE), api("linux", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("linux", BenchNames.RAW_RUNC_RUN)), false),
        new Claim("linux.warm-exec", "linux", "issue #4", "warm exec ≤ 15 ms",
            Quantity.TIME, new Rule.AtMost(15 * MS),
            List.of(tier("linux", BenchNames.OURS_WARM_EXEC), api("linux", BenchNames.OURS_WARM_EXEC)),
            List.of(tier("linux", BenchNames.RAW_BWRAP), PB), false),
        new Claim("linux.memory", "linux", "issue #4", "≤ 4 MiB host memory per idle sandbox",
            Quantity.BYTES, new Rule.AtMost(4 * MIB),
            List.of(memory("linux", "perSandbox")), List.of(), false),
        new Claim("linux.pool.acquire-exec", "linux", "issue #6", "warm pool acquire + exec ≤ 15 ms",
            Quantity.TIME, new Rule.AtMost(15 * MS),
            List.of(tier("linux", BenchNames.OURS_POOLED_ACQUIRE_EXEC), api("linux", BenchNames.OURS_POOLED_ACQUIRE_EXEC)),
            List.of(tier("linux", BenchNames.OURS_CREATE_EXEC_CLOSE), api("linux", BenchNames.OURS_CREATE_EXEC_CLOSE)), false),

        // ---- HARDWARE (sandbox-kvm) ----
        new Claim("kvm.nominal.startup", "kvm", "nominal", "starts in minutes (boot to first exec)",
            Quantity.TIME, new Rule.Band(60 * S, 3600 * S, false),
            List.of(tier("kvm", BenchNames.OURS_BOOT_TO_FIRST_EXEC), tier("kvm", BenchNames.OURS_CREATE_EXEC_CLOSE),
                api("kvm", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("kvm", BenchNames.RAW_QEMU_BOOT)), false),
        new Claim("kvm.nominal.memory", "kvm", "nominal", "gigabytes each (QEMU RSS per idle VM)",
            Quantity.BYTES, new Rule.Band(1 * GB, 1000 * GB, false),
            List.of(memory("kvm", "perSandbox")), List.of(), false),
        new Claim("kvm.nominal.density", "kvm", "nominal", "10–100 per host",
            Quantity.COUNT, new Rule.Band(10, 100, true),
            List.of(density("kvm", "perHost")), List.of(), false),
        new Claim("kvm.boot.vs-qemu", "kvm", "issue #5", "boot-to-first-exec ≤ 1.1× raw QEMU boot",
            Quantity.TIME, new Rule.RatioAtMost(1.1),
            List.of(tier("kvm", BenchNames.OURS_BOOT_TO_FIRST_EXEC), tier("kvm", BenchNames.OURS_CREATE_EXEC_CLOSE)),
            List.of(tier("kvm", BenchNames.RAW_QEMU_BOOT)), false),
        new Claim("kvm.warm-exec", "kvm", "issue #5", "warm exec ≤ 20 ms",
            Quantity.TIME, new Rule.AtMost(20 * MS),
            List.of(tier("kvm", BenchNames.OURS_WARM_EXEC), api("kvm", BenchNames.OURS_WARM_EXEC)), List.of(), false),
        new Claim("kvm.memory", "kvm", "issue #5", "≤ 64 MiB host RSS per idle VM (128 MiB guest) with KVM",
            Quantity.BYTES, new Rule.AtMost(64 * MIB),
            List.of(memory("kvm", "perSandbox")), List.of(), true),
        new Claim("kvm.pool.acquire-exec", "kvm", "issue #6", "warm pool acquire + exec ≤ 25 ms (pre-booted VM)",
            Quantity.TIME, new Rule.AtMost(25 * MS),
            List.of(tier("kvm", BenchNames.OURS_POOLED_ACQUIRE_EXEC), api("kvm", BenchNames.OURS_POOLED_ACQUIRE_EXEC)),
            List.of(tier("kvm", BenchNames.OURS_BOOT_TO_FIRST_EXEC), api("kvm", BenchNames.OURS_CREATE_EXEC_CLOSE)), false));
  }
}
