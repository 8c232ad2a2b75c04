package dev.strata.sandbox.junit;

import dev.strata.sandbox.IsolationLevel;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Injects a fresh {@link dev.strata.sandbox.Sandbox} into a test method parameter, created before
 * the test and closed after it, whatever the outcome.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(StrataExtension.class)
public @interface SandboxUnderTest {

  /** The isolation wanted. */
  IsolationLevel isolation() default IsolationLevel.INSTRUCTION;

  /** Whether a stronger level is fine too (default: exactly {@link #isolation()}). */
  boolean atLeast() default false;

  /** Memory limit in MiB (default 256). */
  long memoryMiB() default 256;

  /** Per-command timeout in seconds (default 60). */
  long timeoutSeconds() default 60;
}
