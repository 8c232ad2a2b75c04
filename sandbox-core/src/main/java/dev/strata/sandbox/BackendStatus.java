package dev.strata.sandbox;

import org.jspecify.annotations.Nullable;

/**
 * One backend as the factory sees it.
 *
 * @param name the backend's name ({@code wasm}, {@code linux}, {@code kvm}), or the provider class
 *     when it failed to load
 * @param level its isolation level; null for a provider that failed to load
 * @param availability whether it can run here, and if not why and the fix
 */
public record BackendStatus(String name, @Nullable IsolationLevel level, Availability availability) {

  public boolean available() {
    return availability.available();
  }

  /** One line, as in the factory's messages: {@code linux (PROCESS): available}. */
  public String describe() {
    return name + " (" + (level == null ? "?" : level.name()) + "): " + availability.describe();
  }
}
