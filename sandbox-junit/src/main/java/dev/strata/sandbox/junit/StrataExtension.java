package dev.strata.sandbox.junit;

import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link EnabledIfIsolationAvailable} and {@link SandboxUnderTest}; also
 * resolves a {@link SandboxFactory} parameter. One factory is shared by the whole test run and
 * closed at its end.
 */
public final class StrataExtension implements ExecutionCondition, ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(StrataExtension.class);

  /** Closes the shared factory when the test run ends. */
  private record FactoryResource(SandboxFactory factory)
      implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      factory.close();
    }
  }

  /** Closes an injected sandbox when its test ends. */
  private record SandboxResource(Sandbox sandbox) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      sandbox.close();
    }
  }

  static SandboxFactory factory(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent(
            FactoryResource.class, k -> new FactoryResource(SandboxFactory.create()), FactoryResource.class)
        .factory();
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<EnabledIfIsolationAvailable> annotation =
        context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, EnabledIfIsolationAvailable.class));
    if (annotation.isEmpty()) {
      return ConditionEvaluationResult.enabled("no @EnabledIfIsolationAvailable");
    }
    IsolationLevel level = annotation.get().value();
    SandboxFactory factory = factory(context);
    if (factory.isAvailable(level)) {
      return ConditionEvaluationResult.enabled(level + " isolation is available");
    }
    return ConditionEvaluationResult.disabled(whyNot(level, factory.availability()));
  }

  static String whyNot(IsolationLevel level, List<BackendStatus> backends) {
    StringBuilder why = new StringBuilder(level + " isolation is not available here");
    for (BackendStatus b : backends) {
      if (b.level() == level) {
        why.append("; ").append(b.describe());
      }
    }
    if (backends.stream().noneMatch(b -> b.level() == level)) {
      why.append("; no backend of that level is on the test class path");
    }
    return why.toString();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
    Class<?> type = parameter.getParameter().getType();
    return (type == Sandbox.class && parameter.isAnnotated(SandboxUnderTest.class))
        || type == SandboxFactory.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
    SandboxFactory factory = factory(extension);
    if (parameter.getParameter().getType() == SandboxFactory.class) {
      return factory;
    }
    SandboxUnderTest config = parameter.findAnnotation(SandboxUnderTest.class).orElseThrow();
    SandboxSpec spec =
        (config.atLeast() ? SandboxSpec.atLeast(config.isolation()) : SandboxSpec.exactly(config.isolation()))
            .withLimits(
                ResourceLimits.defaults().toBuilder()
                    .withMemoryBytes(config.memoryMiB() << 20)
                    .withTimeout(Duration.ofSeconds(config.timeoutSeconds()))
                    .build())
            .withLabel("junit.test", extension.getUniqueId())
            .build();
    Sandbox sandbox = factory.create(spec);
    extension.getStore(NS).put(new Object(), new SandboxResource(sandbox));
    return sandbox;
  }
}
