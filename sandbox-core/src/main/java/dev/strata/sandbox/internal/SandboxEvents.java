package dev.strata.sandbox.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events for the sandbox lifecycle, visible in JDK Mission Control under "Strata Sandbox". The
 * event's duration is the operation's.
 */
public final class SandboxEvents {

  private SandboxEvents() {}

  @Name("dev.strata.sandbox.Create")
  @Label("Sandbox Create")
  @Category("Strata Sandbox")
  @Description("A sandbox was created, or creating one failed")
  public static final class Create extends Event {
    @Label("Sandbox Id")
    public String sandboxId;

    @Label("Backend")
    public String backend;

    @Label("Isolation")
    public String isolation;

    @Label("Success")
    public boolean success;

    @Label("Error")
    public String error;
  }

  @Name("dev.strata.sandbox.Exec")
  @Label("Sandbox Exec")
  @Category("Strata Sandbox")
  @Description("A command ran in a sandbox")
  public static final class Exec extends Event {
    @Label("Sandbox Id")
    public String sandboxId;

    @Label("Backend")
    public String backend;

    @Label("Program")
    public String program;

    @Label("Status")
    public String status;

    @Label("Exit Code")
    public int exitCode;

    @Label("Error")
    public String error;
  }

  @Name("dev.strata.sandbox.Close")
  @Label("Sandbox Close")
  @Category("Strata Sandbox")
  @Description("A sandbox was closed and its resources released")
  public static final class Close extends Event {
    @Label("Sandbox Id")
    public String sandboxId;

    @Label("Backend")
    public String backend;

    @Label("Commands Run")
    public long execCount;
  }

  @Name("dev.strata.sandbox.TierStatus")
  @Label("Sandbox Tier Status")
  @Category("Strata Sandbox")
  @Description("Per factory and tier, at each period: live sandboxes by state, totals, budget use")
  @jdk.jfr.Period("10 s")
  public static final class TierStatus extends Event {
    @Label("Factory")
    public int factory;

    @Label("Isolation")
    public String isolation;

    @Label("Live")
    public int live;

    @Label("Running")
    public int running;

    @Label("Failed")
    public int failed;

    @Label("Created")
    public long created;

    @Label("Closed")
    public long closed;

    @Label("Failures")
    public long failures;

    @Label("Exec p95")
    @jdk.jfr.Timespan(jdk.jfr.Timespan.NANOSECONDS)
    public long execP95;

    @Label("Memory Reserved")
    @jdk.jfr.DataAmount
    public long memoryReserved;

    @Label("Waiting for Admission")
    public int waiting;
  }
}
