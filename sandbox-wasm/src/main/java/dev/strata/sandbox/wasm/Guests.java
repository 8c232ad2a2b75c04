package dev.strata.sandbox.wasm;

import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UnlinkableException;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.SandboxException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Instantiation shared by WASI commands and plugins: imports checked, memory capped, engine chosen. */
final class Guests {

  private Guests() {}

  /** Fails with a message naming every import the module needs and nobody grants. */
  static void checkImports(LoadedModule module, List<HostFunction> granted, String hint) {
    Set<String> available = new TreeSet<>();
    for (HostFunction f : granted) {
      available.add(f.module() + "." + f.name());
    }
    Set<String> missing = new TreeSet<>();
    for (String imp : module.functionImports()) {
      if (!available.contains(imp)) {
        missing.add(imp);
      }
    }
    missing.addAll(module.otherImports());
    if (!missing.isEmpty()) {
      throw new InvalidProgramException(
          module.name + " imports " + String.join(", ", missing) + ", which nothing provides: " + hint);
    }
  }

  /** A listener for the interpreter: counts fuel and stops the guest when asked to. */
  static ExecutionListener listener(GuestRunner.Run run) {
    return (instruction, stack) -> check(run);
  }

  /**
   * Called before every interpreted instruction, back-edges of br/br_if/br_table included (the
   * interpreter checks no interrupt there itself): counts fuel, and every 1024th instruction looks
   * at the deadline.
   */
  static void check(GuestRunner.Run run) {
    if (run.fuelLimit > 0 && --run.fuel < 0) {
      throw new Stops.FuelExhausted();
    }
    if ((++run.tick & 1023) == 0 && run.stopRequested()) {
      throw new Stops.Stopped();
    }
  }

  /**
   * Builds an instance, not yet started.
   *
   * @param memory receives the memory made for the module (there is at most one we cap)
   */
  static Instance instantiate(
      LoadedModule module,
      List<HostFunction> imports,
      WasmEngine engine,
      long memoryCap,
      MemoryBudget budget,
      @Nullable ExecutionListener listener,
      CappedMemory[] memory) {
    Instance.Builder b =
        Instance.builder(module.module)
            .withImportValues(ImportValues.builder().withFunctions(List.copyOf(imports)).build())
            .withStart(false)
            .withMemoryFactory(
                limits -> {
                  CappedMemory m = CappedMemory.create(limits, memoryCap, budget, module.name);
                  memory[0] = m;
                  return m;
                });
    Function<Instance, Machine> compiled = module.machineFactory(engine, ModuleCache.global());
    if (compiled != null) {
      b.withMachineFactory(compiled);
    } else if (listener != null) {
      b.withUnsafeExecutionListener(listener);
    }
    try {
      return b.build();
    } catch (UnlinkableException e) {
      release(memory);
      throw new InvalidProgramException(module.name + " cannot be linked: " + e.getMessage(), e);
    } catch (SandboxException e) {
      release(memory);
      throw e;
    } catch (ChicoryException e) {
      release(memory);
      throw e;
    }
  }

  static void release(CappedMemory[] memory) {
    if (memory[0] != null) {
      memory[0].release();
      memory[0] = null;
    }
  }

  /** Finds a cause of type {@code type} in the chain, if any. */
  static <T extends Throwable> @Nullable T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
