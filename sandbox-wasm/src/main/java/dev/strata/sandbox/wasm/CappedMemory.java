package dev.strata.sandbox.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.strata.sandbox.InvalidProgramException;

/**
 * Linear memory with two ceilings: the module's own maximum lowered to the sandbox's cap (never
 * raised, unlike Chicory's {@code withMemoryLimits}), and the JVM-wide {@link MemoryBudget}. A grow
 * past either returns -1, as WebAssembly requires; {@link #refusedGrow()} tells the sandbox that
 * the payload ran out of memory.
 */
final class CappedMemory implements Memory {

  private final Memory delegate;
  private final MemoryBudget budget;
  private final int maxPages;
  private long reservedBytes;
  private volatile boolean refusedGrow;

  private CappedMemory(Memory delegate, MemoryBudget budget, int maxPages, long reserved) {
    this.delegate = delegate;
    this.budget = budget;
    this.maxPages = maxPages;
    this.reservedBytes = reserved;
  }

  /**
   * Makes the memory for a module whose declared limits are {@code declared}.
   *
   * @throws InvalidProgramException if the module's initial memory alone is above the cap
   * @throws dev.strata.sandbox.CapacityExceededException if the budget cannot hold it
   */
  static CappedMemory create(MemoryLimits declared, long capBytes, MemoryBudget budget, String what) {
    long capPages = Math.max(0, capBytes / PAGE_SIZE);
    int initial = declared.initialPages();
    if (initial > capPages) {
      throw new InvalidProgramException(
          what
              + " needs "
              + initial
              + " pages ("
              + ((long) initial * PAGE_SIZE >> 10)
              + " KiB) of initial memory, more than the sandbox's memory limit of "
              + (capBytes >> 10)
              + " KiB: raise ResourceLimits.memoryBytes or use a smaller module");
    }
    int max = (int) Math.min(Math.min(declared.maximumPages(), capPages), RUNTIME_MAX_PAGES);
    long initialBytes = (long) initial * PAGE_SIZE;
    if (!budget.tryReserve(initialBytes)) {
      throw new dev.strata.sandbox.CapacityExceededException(
          "the WebAssembly memory budget of this JVM ("
              + (budget.limit() >> 20)
              + " MiB, -D"
              + MemoryBudget.PROPERTY
              + ") cannot hold the "
              + (initialBytes >> 10)
              + " KiB of initial memory of "
              + what
              + ": close idle sandboxes or raise the budget");
    }
    MemoryLimits limits = new MemoryLimits(initial, max, declared.shared());
    return new CappedMemory(new ByteArrayMemory(limits), budget, max, initialBytes);
  }

  boolean refusedGrow() {
    return refusedGrow;
  }

  /** Gives the memory's pages back to the budget; the memory must not be used afterwards. */
  synchronized void release() {
    budget.release(reservedBytes);
    reservedBytes = 0;
  }

  @Override
  public int grow(int size) {
    int before = delegate.pages();
    if (size < 0 || (long) before + size > maxPages) {
      refusedGrow = true;
      return -1;
    }
    long bytes = (long) size * PAGE_SIZE;
    if (!budget.tryReserve(bytes)) {
      refusedGrow = true;
      return -1;
    }
    int result = delegate.grow(size);
    synchronized (this) {
      if (result < 0) {
        budget.release(bytes);
        refusedGrow = true;
      } else {
        reservedBytes += bytes;
      }
    }
    return result;
  }

  // ---- plain delegation below

  @Override
  public int pages() {
    return delegate.pages();
  }

  @Override
  public int initialPages() {
    return delegate.initialPages();
  }

  @Override
  public int maximumPages() {
    return delegate.maximumPages();
  }

  @Override
  public boolean shared() {
    return delegate.shared();
  }

  @Override
  @SuppressWarnings("removal")
  public Object lock(int address) {
    return delegate.lock(address);
  }

  @Override
  @SuppressWarnings("removal")
  public int waitOn(int address, int expected, long timeout) {
    return delegate.waitOn(address, expected, timeout);
  }

  @Override
  @SuppressWarnings("removal")
  public int waitOn(int address, long expected, long timeout) {
    return delegate.waitOn(address, expected, timeout);
  }

  @Override
  @SuppressWarnings("removal")
  public int notify(int address, int maxThreads) {
    return delegate.notify(address, maxThreads);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    delegate.initialize(instance, dataSegments);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
    delegate.initialize(instance, dataSegments, memoryIndex);
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    delegate.initPassiveSegment(segmentId, dest, offset, size);
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    delegate.write(addr, data, offset, size);
  }

  @Override
  public byte read(int addr) {
    return delegate.read(addr);
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    return delegate.readBytes(addr, len);
  }

  @Override
  public void writeI32(int addr, int data) {
    delegate.writeI32(addr, data);
  }

  @Override
  public int readInt(int addr) {
    return delegate.readInt(addr);
  }

  @Override
  public void writeLong(int addr, long data) {
    delegate.writeLong(addr, data);
  }

  @Override
  public long readLong(int addr) {
    return delegate.readLong(addr);
  }

  @Override
  public void writeShort(int addr, short data) {
    delegate.writeShort(addr, data);
  }

  @Override
  public short readShort(int addr) {
    return delegate.readShort(addr);
  }

  @Override
  public long readU16(int addr) {
    return delegate.readU16(addr);
  }

  @Override
  public void writeByte(int addr, byte data) {
    delegate.writeByte(addr, data);
  }

  @Override
  public void writeF32(int addr, float data) {
    delegate.writeF32(addr, data);
  }

  @Override
  public long readF32(int addr) {
    return delegate.readF32(addr);
  }

  @Override
  public float readFloat(int addr) {
    return delegate.readFloat(addr);
  }

  @Override
  public void writeF64(int addr, double data) {
    delegate.writeF64(addr, data);
  }

  @Override
  public double readDouble(int addr) {
    return delegate.readDouble(addr);
  }

  @Override
  public long readF64(int addr) {
    return delegate.readF64(addr);
  }

  @Override
  public void zero() {
    delegate.zero();
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    delegate.fill(value, fromIndex, toIndex);
  }

  @Override
  public void copy(int dest, int src, int size) {
    delegate.copy(dest, src, size);
  }

  @Override
  public void drop(int segment) {
    delegate.drop(segment);
  }

  @Override
  public void atomicFence() {
    delegate.atomicFence();
  }
}
