package dev.strata.sandbox.bench.report;

import java.util.Map;
import java.util.Set;

/**
 * The naming convention that ties JMH benchmarks to claims (see benchmarks/README.md).
 *
 * <ul>
 *   <li>Classes: {@code dev.strata.sandbox.bench.<group>.<Anything>Benchmark}, group one of
 *       {@link #TIER_GROUPS} (owned by the tiers), {@code baseline} or {@code api} (the harness's).
 *   <li>Methods: {@code ours<What>} measures Strata through its API; {@code raw<What>} measures a
 *       raw tool as the baseline. The names that claims use are the constants below.
 * </ul>
 */
public final class BenchNames {

  public static final String ROOT_PACKAGE = "dev.strata.sandbox.bench";

  /** The packages the tier engineers own, one per tier, by backend name. */
  public static final Set<String> TIER_GROUPS = Set.of("wasm", "linux", "kvm");

  /** JMH include pattern for every benchmark class that follows the convention. */
  public static final String INCLUDE_ALL =
      "^" + ROOT_PACKAGE.replace(".", "\\.") + "\\.(wasm|linux|kvm|baseline|api)\\.[A-Za-z0-9_]*Benchmark\\.[A-Za-z0-9_]+$";

  // --- method names the claims look for (per tier package) ---
  /** Create a sandbox, run one trivial command, close it: the cold path (WASM, PROCESS). */
  public static final String OURS_CREATE_EXEC_CLOSE = "oursCreateExecClose";
  /** HARDWARE: boot a VM and run the first command (close may be outside the timing). */
  public static final String OURS_BOOT_TO_FIRST_EXEC = "oursBootToFirstExec";
  /** One more command in a sandbox that is already up. */
  public static final String OURS_WARM_EXEC = "oursWarmExec";
  /** WASM: a new instance of a module already compiled and cached. */
  public static final String OURS_INSTANTIATE_CACHED = "oursInstantiateCached";
  /** WASM: one call of an exported function of a loaded plugin. */
  public static final String OURS_CALL = "oursCall";
  /** WASM: acquire from a warm pool (and release). */
  public static final String OURS_POOLED_ACQUIRE = "oursPooledAcquire";
  /** PROCESS, HARDWARE: acquire from a warm pool, exec, release. */
  public static final String OURS_POOLED_ACQUIRE_EXEC = "oursPooledAcquireExec";

  /** raw Chicory: parse, instantiate, run {@code _start} of the same module. */
  public static final String RAW_CREATE_EXEC_CLOSE = "rawCreateExecClose";
  /** raw Chicory: instantiate an already parsed (and compiled) module. */
  public static final String RAW_INSTANTIATE = "rawInstantiate";
  /** raw Chicory: the same export call. */
  public static final String RAW_CALL = "rawCall";
  /** {@code runc run} of the same bundle and command. */
  public static final String RAW_RUNC_RUN = "rawRuncRun";
  /** {@code bwrap} of the same command. */
  public static final String RAW_BWRAP = "rawBwrap";
  /** raw {@code qemu-system-*} boot of the same kernel and initramfs to a marker. */
  public static final String RAW_QEMU_BOOT = "rawQemuBoot";
  /** {@code ProcessBuilder} of {@code /bin/true} (the harness's own baseline). */
  public static final String RAW_PROCESS_BUILDER = "rawProcessBuilderTrue";

  /** raw Chicory on the harness's 1-page module (the fallback baseline of the API benchmark). */
  public static final String RAW_CHICORY_CREATE_RUN = "rawChicoryCreateRun";

  private BenchNames() {}

  /** The key of a harness-owned baseline. */
  public static String baseline(String method) {
    return jmhKey("baseline", method, Map.of());
  }

  /** The key of a JMH result: {@code jmh:<group>:<method>[params]}. */
  public static String jmhKey(String group, String method, Map<String, String> params) {
    return "jmh:" + group + ":" + method + JmhResult.paramSuffix(params);
  }

  /** The key of a tier-owned benchmark method. */
  public static String tier(String backend, String method) {
    return jmhKey(backend, method, Map.of());
  }

  /** The key of the harness's own fallback benchmark of the public API for one tier. */
  public static String api(String backend, String method) {
    return jmhKey("api", method, Map.of("tier", backend));
  }

  /** The key of a memory figure: {@code memory:<backend>:<what>}. */
  public static String memory(String backend, String what) {
    return "memory:" + backend + ":" + what;
  }

  /** The key of a density figure: {@code density:<backend>:<what>}. */
  public static String density(String backend, String what) {
    return "density:" + backend + ":" + what;
  }
}
