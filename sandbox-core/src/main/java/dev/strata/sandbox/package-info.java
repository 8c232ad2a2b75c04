/**
 * Strata Sandbox: run untrusted or fragile code behind the isolation you pick.
 *
 * <p>Entry point: {@link dev.strata.sandbox.SandboxFactory}. Describe what you need in a {@link
 * dev.strata.sandbox.SandboxSpec}, get a {@link dev.strata.sandbox.Sandbox}, {@linkplain
 * dev.strata.sandbox.Sandbox#exec run} {@link dev.strata.sandbox.Command commands} in it and read
 * their {@link dev.strata.sandbox.ExecResult results}.
 *
 * <pre>{@code
 * try (SandboxFactory factory = SandboxFactory.create();
 *      Sandbox sandbox = factory.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build())) {
 *   ExecResult result = sandbox.exec(Command.of("sh", "-c", "echo hello"));
 *   System.out.print(result.stdoutText());
 * }
 * }</pre>
 */
@NullMarked
package dev.strata.sandbox;

import org.jspecify.annotations.NullMarked;
