package dev.portfwd.apply;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.util.List;

/**
 * Host checks and settings shared by every kernel backend, all through a {@link CommandRunner}:
 * root, and IP forwarding. Nothing here is specific to nft or iptables.
 */
public final class Host {

  private final CommandRunner runner;

  public Host(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Fails unless portfwd runs as root: without it every kernel tool fails half-way through with
   * its own message, so say it once, before anything is attempted.
   */
  public void requireRoot() throws BackendException {
    CommandResult id = run(List.of("id", "-u"));
    if (!id.succeeded() || !id.stdout().strip().equals("0")) {
      throw new BackendException("changing or reading kernel forwarding needs root; run it with sudo");
    }
  }

  /** The sysctl that switches forwarding on for {@code ipv6} or IPv4. */
  static String forwardingKey(boolean ipv6) {
    return ipv6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
  }

  /** True when the kernel forwards packets of that IP version. */
  public boolean forwardingEnabled(boolean ipv6) throws BackendException {
    CommandResult result = run(List.of("sysctl", "-n", forwardingKey(ipv6)));
    if (!result.succeeded()) {
      throw new BackendException("cannot read " + forwardingKey(ipv6) + ": " + result.describeFailure());
    }
    return result.stdout().strip().equals("1");
  }

  /**
   * Switches forwarding on when it is off; returns the line saying so, or null when it was on.
   * Without it DNAT rewrites packets that the kernel then silently drops.
   */
  public String enableForwarding(boolean ipv6) throws BackendException {
    if (forwardingEnabled(ipv6)) {
      return null;
    }
    String key = forwardingKey(ipv6);
    CommandResult result = run(List.of("sysctl", "-qw", key + "=1"));
    if (!result.succeeded()) {
      throw new BackendException("cannot switch on " + key + ": " + result.describeFailure());
    }
    return "switched on " + key + " (it was off; forwarded packets were being dropped)";
  }

  private CommandResult run(List<String> argv) throws BackendException {
    try {
      return runner.run(argv);
    } catch (IOException e) {
      throw new BackendException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
    }
  }
}
