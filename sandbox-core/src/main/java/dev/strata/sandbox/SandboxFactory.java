package dev.strata.sandbox;

import dev.strata.sandbox.internal.Admission;
import dev.strata.sandbox.internal.ManagedSandbox;
import dev.strata.sandbox.internal.MetricsRecorder;
import dev.strata.sandbox.internal.SandboxEvents;
import dev.strata.sandbox.internal.TierStatusEmitter;
import dev.strata.sandbox.spi.SandboxProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point: finds the sandbox backends on the class path, tells which can run here,
 * and creates sandboxes with the cheapest backend that gives the isolation asked for, never a
 * weaker one.
 *
 * <pre>{@code
 * try (SandboxFactory factory = SandboxFactory.create()) {
 *   factory.availability().forEach(b -> System.out.println(b.describe()));
 *   try (Sandbox sandbox = factory.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build())) {
 *     System.out.print(sandbox.exec(Command.of("uname", "-a")).stdoutText());
 *   }
 * }
 * }</pre>
 *
 * <p>Backends are {@link SandboxProvider}s found with {@link ServiceLoader}: add {@code
 * sandbox-wasm}, {@code sandbox-linux} or {@code sandbox-kvm} to the class path. A provider that
 * fails to load is reported in {@link #availability()} and hides none of the others.
 *
 * <p>To force one backend, set the system property {@value #BACKEND_PROPERTY} or the environment
 * variable {@value #BACKEND_ENV} to its name (the property wins), or use {@link
 * Builder#withBackend(String)}. A forced backend that is unavailable or too weak is an error, not
 * a fallback.
 *
 * <p>A factory is thread-safe. Closing it closes the sandboxes it made that are still open, then
 * its providers (caches, threads).
 */
public final class SandboxFactory implements AutoCloseable {

  /** System property naming the one backend to use: {@code wasm}, {@code linux}, {@code kvm}. */
  public static final String BACKEND_PROPERTY = "strata.backend";

  /** Environment variable naming the one backend to use; the system property wins. */
  public static final String BACKEND_ENV = "STRATA_BACKEND";

  private static final Logger LOG = LoggerFactory.getLogger(SandboxFactory.class);

  private final List<SandboxProvider> providers;
  private final List<BackendStatus> brokenProviders;
  private final HardwareProfile profile;
  private final List<SandboxListener> listeners;
  private final @Nullable String forcedBackend;
  private final @Nullable String forcedBy;
  private final Map<String, Availability> availabilityCache = new ConcurrentHashMap<>();
  private final Admission admission;
  private final Duration admissionTimeout;
  private final MetricsRecorder metrics = new MetricsRecorder();
  private final Map<String, ManagedSandbox> live = new ConcurrentHashMap<>();
  private final TierStatusEmitter.Source statusSource =
      new TierStatusEmitter.Source(this::metrics, this::budgetUsage);

  private SandboxFactory(Builder b) {
    this.listeners = List.copyOf(b.listeners);
    this.profile = b.profile != null ? b.profile : HardwareProfile.detect();
    this.admission = new Admission(b.budget != null ? b.budget : HostBudget.builder().build());
    this.admissionTimeout = b.admissionTimeout;
    List<SandboxProvider> found = new ArrayList<>(b.providers);
    List<BackendStatus> broken = new ArrayList<>();
    if (b.serviceLoader) {
      load(b.classLoader, found, broken);
    }
    found.sort(
        Comparator.comparing(SandboxProvider::isolationLevel)
            .thenComparingInt(SandboxProvider::priority)
            .thenComparing(SandboxProvider::name));
    this.providers = List.copyOf(found);
    this.brokenProviders = List.copyOf(broken);
    if (b.backend != null) {
      this.forcedBackend = b.backend;
      this.forcedBy = "SandboxFactory.Builder.withBackend";
    } else if (nonBlank(System.getProperty(BACKEND_PROPERTY))) {
      this.forcedBackend = System.getProperty(BACKEND_PROPERTY).trim();
      this.forcedBy = "system property " + BACKEND_PROPERTY;
    } else if (nonBlank(System.getenv(BACKEND_ENV))) {
      this.forcedBackend = System.getenv(BACKEND_ENV).trim();
      this.forcedBy = "environment variable " + BACKEND_ENV;
    } else {
      this.forcedBackend = null;
      this.forcedBy = null;
    }
    TierStatusEmitter.register(statusSource);
  }

  /** A factory with every backend on the class path and this host's {@link HardwareProfile}. */
  public static SandboxFactory create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void load(
      @Nullable ClassLoader classLoader, List<SandboxProvider> found, List<BackendStatus> broken) {
    ServiceLoader<SandboxProvider> loader =
        classLoader == null
            ? ServiceLoader.load(SandboxProvider.class)
            : ServiceLoader.load(SandboxProvider.class, classLoader);
    Iterator<SandboxProvider> it = loader.iterator();
    // a broken entry throws from hasNext() or next(); the iterator moves on past it
    for (int guard = 0; guard < 1000; guard++) {
      try {
        if (!it.hasNext()) {
          return;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        LOG.warn("a sandbox provider failed to load and is skipped: {}", e.getMessage());
        broken.add(
            new BackendStatus(
                brokenName(e),
                null,
                Availability.unavailable(
                    "provider failed to load: " + rootMessage(e),
                    "check that the provider's jar and its dependencies are complete and of this version")));
      }
    }
  }

  private static String brokenName(ServiceConfigurationError e) {
    // "dev.strata.sandbox.spi.SandboxProvider: Provider com.x.Broken could not be instantiated"
    String msg = String.valueOf(e.getMessage());
    int i = msg.indexOf("Provider ");
    if (i >= 0) {
      String rest = msg.substring(i + 9);
      int sp = rest.indexOf(' ');
      return sp > 0 ? rest.substring(0, sp) : rest;
    }
    return "unknown provider";
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** The host as detected (or as given to the builder). */
  public HardwareProfile hardwareProfile() {
    return profile;
  }

  /** The backend forced by property, environment or builder, if any. */
  public Optional<String> forcedBackend() {
    return Optional.ofNullable(forcedBackend);
  }

  /**
   * Every backend found, cheapest first, with whether it can run here, and if not, why and the
   * fix; providers that failed to load come last. Probed once per factory.
   */
  public List<BackendStatus> availability() {
    List<BackendStatus> out = new ArrayList<>();
    for (SandboxProvider p : providers) {
      out.add(new BackendStatus(p.name(), p.isolationLevel(), availabilityOf(p)));
    }
    out.addAll(brokenProviders);
    return List.copyOf(out);
  }

  /** Whether some available backend gives {@code level} exactly. */
  public boolean isAvailable(IsolationLevel level) {
    return providers.stream()
        .anyMatch(p -> p.isolationLevel() == level && availabilityOf(p).available());
  }

  private Availability availabilityOf(SandboxProvider p) {
    return availabilityCache.computeIfAbsent(
        p.name(),
        n -> {
          try {
            return Objects.requireNonNull(p.availability(profile), "availability()");
          } catch (RuntimeException | LinkageError e) {
            LOG.warn("backend {} failed its availability check", n, e);
            return Availability.unavailable(
                "availability check failed: " + e, "report this as a bug in backend " + n);
          }
        });
  }

  /**
   * The backend {@link #create} would use for {@code spec}, without creating anything.
   *
   * Takes the budget into account but reserves nothing.
   *
   * @throws SandboxUnavailableException as {@link #create} would
   */
  public BackendStatus select(SandboxSpec spec) {
    checkAgainstHost(spec);
    List<SandboxProvider> candidates = candidates(spec);
    SandboxProvider p =
        candidates.stream()
            .filter(
                c ->
                    admission.fits(
                        c.isolationLevel(), spec.limits().memoryBytes(), spec.limits().cpuMillis()))
            .findFirst()
            .orElse(candidates.get(0));
    return new BackendStatus(p.name(), p.isolationLevel(), availabilityOf(p));
  }

  /** Resource feedback: what the live sandboxes hold of the {@link HostBudget}, and what is free. */
  public BudgetUsage budgetUsage() {
    return admission.usage();
  }

  /**
   * Monitoring feedback: counts per tier and state, start and exec latencies, failures by kind.
   * The same appears in JFR recordings as {@code dev.strata.sandbox.TierStatus} every 10 s.
   */
  public SandboxMetrics metrics() {
    return metrics.snapshot(live.values());
  }

  /** Status feedback: every sandbox of this factory that is still open. */
  public List<SandboxStatus> sandboxes() {
    List<SandboxStatus> out = new ArrayList<>();
    for (ManagedSandbox s : live.values()) {
      out.add(
          new SandboxStatus(
              s.id(), s.backend(), s.isolationLevel(), s.state(), s.stats(), s.spec().labels()));
    }
    return out;
  }

  /**
   * Creates a ready sandbox: with the exact level for {@link SandboxSpec#exactly}, or the cheapest
   * available level at least the one asked for with {@link SandboxSpec#atLeast}.
   *
   * @throws SandboxUnavailableException if no backend fits; the message lists every backend, why
   *     it did not fit, and the fix
   * @throws CapacityExceededException if the {@link HostBudget} has no room (after waiting up to
   *     the admission timeout)
   * @throws InvalidSpecException if the spec asks more than the host has, or the chosen backend
   *     cannot meet it
   * @throws SandboxStartException if the chosen backend failed to start the sandbox
   */
  public Sandbox create(SandboxSpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkAgainstHost(spec);
    Placement placement = admit(spec);
    SandboxProvider provider = placement.provider();
    SandboxEvents.Create event = new SandboxEvents.Create();
    event.begin();
    long start = System.nanoTime();
    Sandbox sandbox;
    try {
      sandbox = provider.create(spec, profile);
    } catch (RuntimeException e) {
      // a backend bug must not leak the reservation either
      placement.reservation().release();
      event.end();
      commit(event, "", provider, false, e.getMessage());
      metrics.failed(provider.isolationLevel(), e);
      SandboxException se =
          e instanceof SandboxException sx
              ? sx
              : new SandboxStartException(
                  "backend " + provider.name() + " failed to create a sandbox: " + e, e);
      for (SandboxListener l : listeners) {
        try {
          l.createFailed(spec, provider.name(), se);
        } catch (RuntimeException le) {
          LOG.warn("sandbox listener {} threw; ignored", l, le);
        }
      }
      throw se;
    }
    event.end();
    commit(event, sandbox.id(), provider, true, null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    metrics.created(provider.isolationLevel(), took);
    String id = sandbox.id();
    ManagedSandbox managed =
        new ManagedSandbox(
            sandbox,
            listeners,
            metrics,
            () -> {
              live.remove(id);
              placement.reservation().release();
            });
    live.put(id, managed);
    LOG.debug("created {} on {} in {} ms", id, provider.name(), took.toMillis());
    for (SandboxListener l : listeners) {
      try {
        l.created(managed, took);
      } catch (RuntimeException le) {
        LOG.warn("sandbox listener {} threw; ignored", l, le);
      }
    }
    return managed;
  }

  private record Placement(SandboxProvider provider, Admission.Reservation reservation) {}

  /** Refuses what no host could do: more memory than this one has. */
  private void checkAgainstHost(SandboxSpec spec) {
    long asked = spec.limits().memoryBytes();
    if (profile.memoryBytes() > 0 && asked > profile.memoryBytes()) {
      throw new InvalidSpecException(
          "the spec asks for "
              + (asked >> 20)
              + " MiB of memory but this host has "
              + (profile.memoryBytes() >> 20)
              + " MiB. Fix: lower ResourceLimits.memoryBytes.");
    }
  }

  /**
   * Chooses the cheapest fitting backend whose tier has room in the budget, and reserves the
   * room; waits up to the admission timeout when every fitting tier is full.
   */
  private Placement admit(SandboxSpec spec) {
    List<SandboxProvider> candidates = candidates(spec);
    long memory = spec.limits().memoryBytes();
    long cpu = spec.limits().cpuMillis();
    long deadline = System.nanoTime() + admissionTimeout.toNanos();
    while (true) {
      for (SandboxProvider p : candidates) {
        Admission.Reservation r = admission.tryReserve(p.isolationLevel(), memory, cpu);
        if (r != null) {
          return new Placement(p, r);
        }
      }
      boolean waited;
      try {
        waited = admission.awaitRelease(deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CapacityExceededException("interrupted while waiting for room in the host budget");
      }
      if (!waited) {
        throw budgetExhausted(spec, candidates);
      }
    }
  }

  private CapacityExceededException budgetExhausted(SandboxSpec spec, List<SandboxProvider> candidates) {
    BudgetUsage u = admission.usage();
    HostBudget b = u.budget();
    StringBuilder msg =
        new StringBuilder("The host budget has no room for this sandbox (")
            .append(spec.limits().memoryBytes() >> 20)
            .append(" MiB, ")
            .append(spec.limits().cpuMillis())
            .append(" millicpus)")
            .append(admissionTimeout.isZero() ? "" : " after waiting " + admissionTimeout.toMillis() + " ms")
            .append(". In use: ")
            .append(u.memoryBytesUsed() >> 20)
            .append(" MiB memory of ")
            .append(b.memoryBytes() == Long.MAX_VALUE ? "unlimited" : (b.memoryBytes() >> 20) + " MiB")
            .append(", ")
            .append(u.cpuMillisUsed())
            .append(" millicpus of ")
            .append(b.cpuMillis() == Long.MAX_VALUE ? "unlimited" : String.valueOf(b.cpuMillis()));
    for (SandboxProvider p : candidates) {
      int max = b.maxSandboxes(p.isolationLevel());
      msg.append(", ")
          .append(p.isolationLevel())
          .append(' ')
          .append(u.sandboxes(p.isolationLevel()))
          .append(" of ")
          .append(max == Integer.MAX_VALUE ? "unlimited" : String.valueOf(max));
    }
    msg.append(". Fix: close sandboxes, raise the HostBudget, or set an admission timeout to queue.");
    return new CapacityExceededException(msg.toString());
  }

  private static void commit(
      SandboxEvents.Create event,
      String id,
      SandboxProvider provider,
      boolean success,
      @Nullable String error) {
    if (event.shouldCommit()) {
      event.sandboxId = id;
      event.backend = provider.name();
      event.isolation = provider.isolationLevel().name();
      event.success = success;
      event.error = error;
      event.commit();
    }
  }

  /** The backends that may serve {@code spec}, cheapest first; throws if there are none. */
  private List<SandboxProvider> candidates(SandboxSpec spec) {
    String wanted = (spec.exactIsolation() ? "exactly " : "at least ") + spec.isolation();
    if (forcedBackend != null) {
      return List.of(chooseForced(spec, wanted));
    }
    List<SandboxProvider> out = new ArrayList<>();
    for (SandboxProvider p : providers) {
      if (spec.acceptsLevel(p.isolationLevel()) && availabilityOf(p).available()) {
        out.add(p);
      }
    }
    if (out.isEmpty()) {
      throw nothingFits(spec, wanted);
    }
    return out;
  }

  private SandboxProvider chooseForced(SandboxSpec spec, String wanted) {
    String name = forcedBackend.toLowerCase(Locale.ROOT);
    SandboxProvider p =
        providers.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    if (p == null) {
      throw new SandboxUnavailableException(
          "The backend '"
              + forcedBackend
              + "' forced by "
              + forcedBy
              + " is not on the class path. Backends found: "
              + (providers.isEmpty() ? "none" : String.join(", ", providers.stream().map(SandboxProvider::name).toList()))
              + ". Fix: add its module (for example dev.strata:sandbox-"
              + name
              + ") or unset "
              + forcedBy
              + ".",
          availability());
    }
    if (!spec.acceptsLevel(p.isolationLevel())) {
      throw new SandboxUnavailableException(
          "The backend '"
              + p.name()
              + "' forced by "
              + forcedBy
              + " gives "
              + p.isolationLevel()
              + " isolation, but the spec asks for "
              + wanted
              + ". Strata never falls back to weaker isolation. Fix: force a backend that fits, or"
              + " change the spec.",
          availability());
    }
    Availability a = availabilityOf(p);
    if (!a.available()) {
      throw new SandboxUnavailableException(
          "The backend '"
              + p.name()
              + "' forced by "
              + forcedBy
              + " is "
              + a.describe()
              + ".",
          availability());
    }
    return p;
  }

  private SandboxUnavailableException nothingFits(SandboxSpec spec, String wanted) {
    List<BackendStatus> all = availability();
    StringBuilder msg =
        new StringBuilder("No sandbox backend can give isolation ")
            .append(wanted)
            .append(" on this host.");
    if (all.isEmpty()) {
      msg.append(
          "\nNo backends were found on the class path. Fix: add dev.strata:sandbox-wasm,"
              + " dev.strata:sandbox-linux or dev.strata:sandbox-kvm.");
      return new SandboxUnavailableException(msg.toString(), all);
    }
    msg.append("\nBackends tried:");
    for (BackendStatus b : all) {
      msg.append("\n  - ");
      if (b.level() != null && !spec.acceptsLevel(b.level())) {
        msg.append(b.name())
            .append(" (")
            .append(b.level())
            .append("): does not fit ")
            .append(wanted);
      } else {
        msg.append(b.describe());
      }
    }
    return new SandboxUnavailableException(msg.toString(), all);
  }

  /**
   * Closes every sandbox of this factory that is still open, then every provider. Sandboxes are
   * best closed by their users first; this is the safety net.
   */
  @Override
  public void close() {
    TierStatusEmitter.unregister(statusSource);
    for (ManagedSandbox s : List.copyOf(live.values())) {
      LOG.debug("closing {} left open at factory close", s.id());
      s.close();
    }
    for (SandboxProvider p : providers) {
      try {
        p.close();
      } catch (Exception e) {
        LOG.warn("closing backend {} failed", p.name(), e);
      }
    }
  }

  private static boolean nonBlank(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  /** Configures a {@link SandboxFactory}. */
  public static final class Builder {
    private @Nullable ClassLoader classLoader;
    private boolean serviceLoader = true;
    private final List<SandboxProvider> providers = new ArrayList<>();
    private @Nullable HardwareProfile profile;
    private final List<SandboxListener> listeners = new ArrayList<>();
    private @Nullable String backend;
    private @Nullable HostBudget budget;
    private Duration admissionTimeout = Duration.ZERO;

    private Builder() {}

    /**
     * Admission control: sandboxes are admitted only while their limits fit in {@code budget}
     * (placed on a stronger tier when theirs is full, for at-least specs). Without a budget,
     * everything is admitted.
     */
    public Builder withBudget(HostBudget budget) {
      this.budget = Objects.requireNonNull(budget);
      return this;
    }

    /** How long {@link SandboxFactory#create} queues for room in the budget; zero (the default) refuses at once. */
    public Builder withAdmissionTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("admission timeout (" + timeout + ") must not be negative");
      }
      this.admissionTimeout = timeout;
      return this;
    }

    /** Finds providers with this class loader instead of the thread's context class loader. */
    public Builder withClassLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader);
      return this;
    }

    /** Adds a provider by hand (besides those found, unless {@link #withoutServiceLoader()}). */
    public Builder withProvider(SandboxProvider provider) {
      providers.add(Objects.requireNonNull(provider));
      return this;
    }

    /** Uses only the providers added with {@link #withProvider}. */
    public Builder withoutServiceLoader() {
      this.serviceLoader = false;
      return this;
    }

    /** Uses this profile instead of detecting the host. */
    public Builder withHardwareProfile(HardwareProfile profile) {
      this.profile = Objects.requireNonNull(profile);
      return this;
    }

    public Builder withListener(SandboxListener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    /** Forces one backend by name; wins over the system property and environment variable. */
    public Builder withBackend(String name) {
      this.backend = Objects.requireNonNull(name);
      return this;
    }

    public SandboxFactory build() {
      Map<String, SandboxProvider> byName = new LinkedHashMap<>();
      for (SandboxProvider p : providers) {
        if (byName.putIfAbsent(p.name(), p) != null) {
          throw new IllegalArgumentException("two providers are named " + p.name());
        }
      }
      return new SandboxFactory(this);
    }
  }

}
