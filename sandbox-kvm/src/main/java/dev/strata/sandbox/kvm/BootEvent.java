package dev.strata.sandbox.kvm;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** One boot attempt of a microVM, in JFR under "Strata Sandbox"; its duration is the attempt's. */
@Name("dev.strata.sandbox.kvm.Boot")
@Label("MicroVM Boot Attempt")
@Category("Strata Sandbox")
@Description("A QEMU microVM boot attempt: reached the agent, timed out (killed by the watchdog) or failed")
final class BootEvent extends Event {
  @Label("Sandbox Id")
  String sandboxId;

  @Label("Attempt")
  int attempt;

  @Label("Outcome")
  String outcome;

  @Label("Accelerator")
  String accelerator;

  @Label("Console Tail")
  String consoleTail;
}
