package dev.portfwd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * dnsmasq answering from a hosts file with a TTL of 1 s, in a host of a {@link Topology}, as the
 * name server of one namespace of it: {@code ip netns exec} bind-mounts {@code
 * /etc/netns/NAME/resolv.conf} over {@code /etc/resolv.conf}. {@link #close} deletes that {@code
 * /etc/netns/NAME} folder; dnsmasq dies with the topology.
 */
public final class NameServer implements AutoCloseable {

  private final Topology topology;
  private final String role;
  private final String address;
  private final Process process;
  private final Path hosts;
  private Path resolverFolder;

  private NameServer(Topology topology, String role, String address, Process process, Path hosts) {
    this.topology = topology;
    this.role = role;
    this.address = address;
    this.process = process;
    this.hosts = hosts;
  }

  /**
   * Starts dnsmasq on {@code address} in {@code role}'s namespace (a host the test added),
   * answering with the lines of {@code hosts} ({@code ADDRESS NAME}), its pid file in {@code
   * workDir}; waits until it listens.
   */
  public static NameServer start(
      Topology topology, String role, String address, Path hosts, Path workDir) {
    Process process =
        topology.spawn(
            role,
            "dnsmasq",
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--user=root",
            "--pid-file=" + workDir.resolve("dnsmasq.pid"),
            "--listen-address=" + address,
            "--bind-interfaces",
            "--local-ttl=1",
            "--addn-hosts=" + hosts);
    topology.awaitListening(role, "udp", 53, Duration.ofSeconds(10));
    return new NameServer(topology, role, address, process, hosts);
  }

  /** Makes this the name server of {@code client}'s namespace; {@link #close} undoes it. */
  public void serve(String client) throws IOException {
    if (resolverFolder != null) {
      throw new IllegalStateException("already the name server of " + resolverFolder);
    }
    resolverFolder = Path.of("/etc/netns", topology.namespace(client));
    Files.createDirectories(resolverFolder);
    Files.writeString(resolverFolder.resolve("resolv.conf"), "nameserver " + address + "\n");
  }

  /** Answers with {@code lines} of the hosts file from now on. */
  public void answer(String lines) throws IOException {
    Files.writeString(hosts, lines);
    topology.exec(role, "kill", "-HUP", Long.toString(process.pid()));
  }

  /** Stops dnsmasq: look-ups fail from now on. */
  public void stop() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Deletes the resolver folder {@link #serve} made. */
  @Override
  public void close() throws IOException {
    if (resolverFolder == null || !Files.exists(resolverFolder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(resolverFolder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
