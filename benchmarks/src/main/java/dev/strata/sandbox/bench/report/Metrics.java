package dev.strata.sandbox.bench.report;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one run measured, by metric key (see {@link BenchNames}), plus why something was not
 * measured. Not thread-safe; the harness fills it from one thread.
 */
public final class Metrics {

  private final Map<String, Stat> values = new LinkedHashMap<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private final Map<String, String> unavailableBackends = new LinkedHashMap<>();
  private final Set<String> capped = new LinkedHashSet<>();

  public Metrics put(String key, Stat stat) {
    values.put(key, stat);
    failures.remove(key);
    return this;
  }

  /** Records that {@code key} was attempted and failed. */
  public Metrics fail(String key, String reason) {
    if (!values.containsKey(key)) {
      failures.put(key, reason);
    }
    return this;
  }

  /** Records that a whole tier cannot run here. */
  public Metrics unavailable(String backend, String reason) {
    unavailableBackends.put(backend, reason);
    return this;
  }

  /** Marks a count that stopped at the run's cap, not at a limit of the host. */
  public Metrics capped(String key) {
    capped.add(key);
    return this;
  }

  public Optional<Stat> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  public Optional<String> failure(String key) {
    return Optional.ofNullable(failures.get(key));
  }

  public Optional<String> unavailable(String backend) {
    return Optional.ofNullable(unavailableBackends.get(backend));
  }

  public boolean isCapped(String key) {
    return capped.contains(key);
  }

  public Map<String, Stat> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  public Map<String, String> failures() {
    return java.util.Collections.unmodifiableMap(failures);
  }

  public Map<String, String> unavailableBackends() {
    return java.util.Collections.unmodifiableMap(unavailableBackends);
  }
}
