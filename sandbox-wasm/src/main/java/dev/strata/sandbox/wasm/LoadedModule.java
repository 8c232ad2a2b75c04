package dev.strata.sandbox.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A parsed module and, once asked for, its compiled machine factory: shared by every instance. */
final class LoadedModule {

  private static final Logger LOG = LoggerFactory.getLogger(LoadedModule.class);

  final String digest;
  final WasmModule module;
  final String name;
  private volatile @Nullable Function<Instance, Machine> compiled;
  private volatile boolean compileFailed;
  /** Set once the module passed the checks for a WASI command (imports, _start). */
  volatile boolean checkedAsCommand;

  LoadedModule(String digest, WasmModule module, String name) {
    this.digest = digest;
    this.module = module;
    this.name = name;
  }

  /** The machine factory for {@code engine}; null means Chicory's interpreter. */
  @Nullable
  Function<Instance, Machine> machineFactory(WasmEngine engine, ModuleCache cache) {
    if (engine == WasmEngine.INTERPRETER || compileFailed) {
      return null;
    }
    Function<Instance, Machine> f = compiled;
    if (f == null) {
      synchronized (this) {
        f = compiled;
        if (f == null && !compileFailed) {
          try {
            MachineFactoryCompiler.Builder b =
                MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT);
            if (cache.diskCache() != null) {
              b.withCache(cache.diskCache());
            }
            f = b.compile();
            compiled = f;
          } catch (RuntimeException | LinkageError e) {
            // A module the compiler cannot translate still runs, interpreted.
            LOG.warn("compiling {} failed, it runs in the interpreter: {}", name, e.toString());
            compileFailed = true;
            return null;
          }
        }
      }
    }
    return f;
  }

  /** The function imports, as {@code module.name}. */
  List<String> functionImports() {
    List<String> out = new ArrayList<>();
    var section = module.importSection();
    for (int i = 0; i < section.importCount(); i++) {
      Import imp = section.getImport(i);
      if (imp.importType() == ExternalType.FUNCTION && imp instanceof FunctionImport) {
        out.add(imp.module() + "." + imp.name());
      }
    }
    return out;
  }

  /** The other imports (memories, tables, globals), which no sandbox provides. */
  List<String> otherImports() {
    List<String> out = new ArrayList<>();
    var section = module.importSection();
    for (int i = 0; i < section.importCount(); i++) {
      Import imp = section.getImport(i);
      if (imp.importType() != ExternalType.FUNCTION) {
        out.add(imp.module() + "." + imp.name() + " (" + imp.importType() + ")");
      }
    }
    return out;
  }

  boolean exportsFunction(String exportName) {
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      var e = exports.getExport(i);
      if (e.name().equals(exportName) && e.exportType() == ExternalType.FUNCTION) {
        return true;
      }
    }
    return false;
  }
}
