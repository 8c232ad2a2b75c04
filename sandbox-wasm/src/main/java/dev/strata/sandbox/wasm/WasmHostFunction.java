package dev.strata.sandbox.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A host function granted to a {@link WasmPlugin}. Nothing is granted by default: a plugin that
 * imports a function nobody granted fails to load with an {@link
 * dev.strata.sandbox.InvalidProgramException} naming it.
 *
 * <pre>{@code
 * WasmHostFunction log = WasmHostFunction.of("strata", "log",
 *     List.of(WasmValueType.I32, WasmValueType.I32), List.of(),
 *     (memory, args) -> {
 *       System.out.println(memory.readString((int) args[0], (int) args[1]));
 *       return new long[0];
 *     });
 * }</pre>
 *
 * <p>Arguments and results are raw WebAssembly values in {@code long}s: i32 sign-extended, floats
 * as their bits ({@link Float#floatToRawIntBits}, {@link Double#doubleToRawLongBits}). An exception
 * thrown by the implementation traps the guest.
 */
public final class WasmHostFunction {

  /** The code behind a host function. */
  @FunctionalInterface
  public interface Implementation {
    long[] call(GuestMemory memory, long[] args);
  }

  private final String module;
  private final String name;
  private final List<WasmValueType> params;
  private final List<WasmValueType> results;
  private final Implementation implementation;

  private WasmHostFunction(
      String module,
      String name,
      List<WasmValueType> params,
      List<WasmValueType> results,
      Implementation implementation) {
    this.module = Objects.requireNonNull(module, "module");
    this.name = Objects.requireNonNull(name, "name");
    this.params = List.copyOf(params);
    this.results = List.copyOf(results);
    this.implementation = Objects.requireNonNull(implementation, "implementation");
  }

  /** A function the guest imports as {@code (import "module" "name" (func ...))}. */
  public static WasmHostFunction of(
      String module,
      String name,
      List<WasmValueType> params,
      List<WasmValueType> results,
      Implementation implementation) {
    return new WasmHostFunction(module, name, params, results, implementation);
  }

  public String module() {
    return module;
  }

  public String name() {
    return name;
  }

  public List<WasmValueType> params() {
    return params;
  }

  public List<WasmValueType> results() {
    return results;
  }

  HostFunction toChicory() {
    FunctionType type =
        FunctionType.of(
            params.stream().map(p -> p.chicory).toList(),
            results.stream().map(r -> r.chicory).toList());
    return new HostFunction(
        module,
        name,
        type,
        (instance, args) -> {
          long[] out = implementation.call(memoryOf(instance.memory()), args);
          if (out == null || out.length != results.size()) {
            throw new IllegalStateException(
                "host function "
                    + module
                    + "."
                    + name
                    + " must return "
                    + results.size()
                    + " values, returned "
                    + (out == null ? "null" : out.length));
          }
          return out;
        });
  }

  static GuestMemory memoryOf(Memory memory) {
    return new GuestMemory() {
      @Override
      public byte[] read(int ptr, int len) {
        return memory.readBytes(ptr, len);
      }

      @Override
      public void write(int ptr, byte[] data) {
        memory.write(ptr, data);
      }

      @Override
      public String readString(int ptr, int len) {
        return new String(memory.readBytes(ptr, len), StandardCharsets.UTF_8);
      }

      @Override
      public long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
      }
    };
  }

  @Override
  public String toString() {
    return module + "." + name + params + "->" + results;
  }
}
