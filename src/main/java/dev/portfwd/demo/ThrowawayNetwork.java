package dev.portfwd.demo;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.ThrowawayNamespaces;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network of throwaway namespaces, one per role (client, gateway, …), that a demo builds and
 * deletes whole: {@link DemoNetwork} and {@link HaDemoNetwork}. Namespace names carry a random
 * part, so two runs never collide. {@link #close} (and a shutdown hook, for Ctrl-C) kills every
 * process in the namespaces and deletes them; nothing in the root namespace changes.
 */
abstract class ThrowawayNetwork implements AutoCloseable {

  private final CommandRunner host = new ProcessCommandRunner();
  private final String prefix;
  private final Map<String, String> namespaces = new LinkedHashMap<>();
  private final ThrowawayNamespaces throwaway;

  /**
   * @param prefix starts every namespace's name
   * @param purpose names the clean-up thread, for thread dumps
   */
  ThrowawayNetwork(String prefix, String purpose) {
    this.prefix = prefix + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(2));
    this.throwaway = new ThrowawayNamespaces(host, purpose);
  }

  /** Makes the namespaces and their links; a step that fails leaves the rest to {@link #close}. */
  abstract void build() throws IOException;

  /** Builds {@code network}; deletes what it made if a step fails. */
  static <N extends ThrowawayNetwork> N built(N network) throws IOException {
    try {
      network.build();
      return network;
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
  }

  /** Creates the namespace of {@code role} and returns its name. */
  String add(String role) throws IOException {
    String name = prefix + "-" + role;
    throwaway.add(name);
    namespaces.put(role, name);
    return name;
  }

  /** The namespace name of {@code role}. */
  public String namespace(String role) {
    return namespaces.get(role);
  }

  /** A runner whose programs run inside {@code role}'s namespace. */
  public CommandRunner runner(String role) {
    return ProcessCommandRunner.inNamespace(namespace(role));
  }

  /** Starts a long-running program in {@code role}'s namespace; it dies with the namespace. */
  public Process spawn(String role, List<String> argv) throws IOException {
    return throwaway.spawn(namespace(role), argv);
  }

  /**
   * Links namespace {@code ns} to {@code peerNs} by a veth pair: {@code name} in {@code ns}, {@code
   * peerName} in {@code peerNs}. Both ends start down.
   */
  void veth(String ns, String name, String peerNs, String peerName) throws IOException {
    run(
        List.of(
            "ip", "link", "add", name, "netns", ns, "type", "veth", "peer", "name", peerName,
            "netns", peerNs));
  }

  /** Runs a shell line in namespace {@code ns}; fails on a non-zero exit. */
  CommandResult sh(String ns, String script) throws IOException {
    return run(List.of("ip", "netns", "exec", ns, "sh", "-c", script));
  }

  /** Runs {@code argv} in the root namespace; fails on a non-zero exit. */
  CommandResult run(List<String> argv) throws IOException {
    CommandResult result = host.run(argv);
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
    return result;
  }

  @Override
  public void close() {
    throwaway.close();
  }
}
