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
}
