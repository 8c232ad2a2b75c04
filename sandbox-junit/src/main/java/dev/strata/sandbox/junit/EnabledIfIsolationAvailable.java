package dev.strata.sandbox.junit;

import dev.strata.sandbox.IsolationLevel;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only where a backend of exactly this isolation level
 * is available; otherwise it is disabled with the backend's reason and fix as the message.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(StrataExtension.class)
public @interface EnabledIfIsolationAvailable {

  /** The level needed. */
  IsolationLevel value();
}
