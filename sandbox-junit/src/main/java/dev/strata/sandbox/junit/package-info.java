/**
 * JUnit 5 support for users' own tests, in the manner of Testcontainers' {@code
 * @EnabledIfDockerAvailable}:
 *
 * <pre>{@code
 * @EnabledIfIsolationAvailable(IsolationLevel.PROCESS)
 * class MyPluginTest {
 *   @Test
 *   void runsTheScript(@SandboxUnderTest(isolation = IsolationLevel.PROCESS) Sandbox sandbox) {
 *     assertEquals(0, sandbox.exec(Command.of("/bin/true")).exitCode());
 *   }
 * }
 * }</pre>
 */
@NullMarked
package dev.strata.sandbox.junit;

import org.jspecify.annotations.NullMarked;
