package dev.portfwd.host;

import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and sets the IP forwarding sysctls, as files under {@code /proc/sys} of the namespace the
 * runner acts in ({@link ProcSys}; no {@code sysctl} program needed). Apply only switches them on;
 * a rollback also switches off those portfwd switched on. The one place their names are spelled:
 * the doctor reads them through {@link #keyFor}.
 */
public final class ForwardingSysctls {

  public static final String IPV4 = "net.ipv4.ip_forward";
  public static final String IPV6 = "net.ipv6.conf.all.forwarding";

  private final ProcSys procSys;

  public ForwardingSysctls(CommandRunner runner) {
    this(ProcSys.of(runner));
  }

  public ForwardingSysctls(ProcSys procSys) {
    this.procSys = procSys;
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
    try {
      return procSys.read(key).equals("1");
    } catch (IOException e) {
      throw new BackendException("cannot read " + key + ": " + e.getMessage(), e);
    }
  }

  public void set(String key, boolean on) throws BackendException {
    try {
      procSys.write(key, on ? "1" : "0");
    } catch (IOException e) {
      throw new BackendException("cannot set " + key + ": " + e.getMessage(), e);
    }
  }
}
