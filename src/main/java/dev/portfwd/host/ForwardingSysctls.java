package dev.portfwd.host;

import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and sets the IP forwarding sysctls through the {@code sysctl} program (so tests run it in a
 * namespace). Apply only switches them on; a rollback also switches off those portfwd switched on.
 * The one place their names are spelled: the doctor reads them through {@link #keyFor}.
 */
public final class ForwardingSysctls {

  public static final String IPV4 = "net.ipv4.ip_forward";
  public static final String IPV6 = "net.ipv6.conf.all.forwarding";

  private final CommandRunner runner;

  public ForwardingSysctls(CommandRunner runner) {
    this.runner = runner;
  }

  public static String keyFor(IpFamily family) {
    return family == IpFamily.IPV6 ? IPV6 : IPV4;
  }

  /** The forwarding keys {@code desired} needs on that are off now: what apply will switch on. */
  public Set<String> offButNeeded(DesiredState desired) throws BackendException {
    Set<String> keys = new TreeSet<>();
    for (IpFamily family : IpFamily.values()) {
      if (desired.uses(family) && !isOn(keyFor(family))) {
        keys.add(keyFor(family));
      }
    }
    return keys;
  }

  /**
   * Switches forwarding for {@code family} on when it is off; returns the line saying so, or empty
   * when it was on. Without it DNAT rewrites packets that the kernel then silently drops.
   */
  public Optional<String> enable(IpFamily family) throws BackendException {
    String key = keyFor(family);
    if (isOn(key)) {
      return Optional.empty();
    }
    set(key, true);
    return Optional.of(
        "switched on " + key + " (it was off; forwarded packets were being dropped)");
  }

  public boolean isOn(String key) throws BackendException {
    CommandResult result = run(List.of("sysctl", "-n", key));
    if (!result.succeeded()) {
      throw new BackendException("cannot read " + key + ": " + result.describeFailure());
    }
    return result.stdout().strip().equals("1");
  }

  public void set(String key, boolean on) throws BackendException {
    CommandResult result = run(List.of("sysctl", "-qw", key + "=" + (on ? 1 : 0)));
    if (!result.succeeded()) {
      throw new BackendException("cannot set " + key + ": " + result.describeFailure());
    }
  }

  private CommandResult run(List<String> argv) throws BackendException {
    try {
      return runner.run(argv);
    } catch (IOException e) {
      throw new BackendException("cannot run sysctl: " + e.getMessage(), e);
    }
  }
}
