package dev.portfwd.host;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's connection tracking table, through the {@code conntrack} tool: how many connections
 * each forward carries now, and removal of stale UDP entries after a change.
 *
 * <p>UDP has no end of connection: an entry made before a forward changed keeps sending the
 * client's datagrams where they went before (to the old backend, or to the gateway itself) until it
 * times out. So after apply, entries of changed or removed UDP forwards, and untranslated entries
 * on the ports of added ones, are deleted. Each list is read once and only entries that match are
 * deleted, one by one, so the work is bounded by what is actually stale.
 */
public final class Conntrack {

  /** One tracked connection: its original and reply tuples. */
  public record Entry(
      IpFamily family,
      Protocol protocol,
      InetAddress source,
      InetAddress destination,
      int sourcePort,
      int destinationPort,
      InetAddress replySource,
      int replySourcePort) {

    /** True when this connection was translated by {@code forward}. */
    boolean carriedBy(CompiledForward forward) {
      return protocol == forward.protocol()
          && family == forward.family()
          && forward.externalPorts().contains(destinationPort)
          && forward.externalAddress().map(destination::equals).orElse(true)
          && replySource.equals(forward.backend())
          && replySourcePort == destinationPort + forward.portOffset();
    }

    /** True when this connection goes to the gateway itself on {@code forward}'s external ports. */
    boolean untranslatedOn(CompiledForward forward) {
      return protocol == forward.protocol()
          && family == forward.family()
          && forward.externalPorts().contains(destinationPort)
          && forward.externalAddress().map(destination::equals).orElse(true)
          && replySource.equals(destination)
          && replySourcePort == destinationPort;
    }
  }

  private final CommandRunner runner;

  public Conntrack(CommandRunner runner) {
    this.runner = runner;
  }

  /** Whether the conntrack tool is there; without it counts are unknown and cleanup is skipped. */
  public boolean available() {
    return runner.isInstalled("conntrack");
  }

  /** The entries of {@code family} (all protocols portfwd forwards). */
  public List<Entry> list(IpFamily family) throws IOException {
    CommandResult result =
        runner.run(List.of("conntrack", "-L", "-f", family == IpFamily.IPV4 ? "ipv4" : "ipv6"));
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
    return parse(family, result.stdout());
  }

  /**
   * Parses {@code conntrack -L} lines such as {@code udp 17 29 src=203.0.113.10 dst=203.0.113.1
   * sport=40000 dport=13111 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=13111 dport=40000 …}: the
   * first four key=value fields are the original direction, the next ones the reply.
   */
  static List<Entry> parse(IpFamily family, String text) {
    List<Entry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length < 2) {
        continue;
      }
      Optional<Protocol> protocol = Protocol.fromKeyword(words[0]);
      if (protocol.isEmpty()) {
        continue;
      }
      List<String> src = new ArrayList<>();
      List<String> dst = new ArrayList<>();
      List<String> sport = new ArrayList<>();
      List<String> dport = new ArrayList<>();
      for (String word : words) {
        int eq = word.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String value = word.substring(eq + 1);
        switch (word.substring(0, eq)) {
          case "src" -> src.add(value);
          case "dst" -> dst.add(value);
          case "sport" -> sport.add(value);
          case "dport" -> dport.add(value);
          default -> {}
        }
      }
      if (src.size() < 2 || dst.size() < 2 || sport.size() < 2 || dport.size() < 2) {
        continue;
      }
      Optional<InetAddress> s = Addresses.parse(src.get(0));
      Optional<InetAddress> d = Addresses.parse(dst.get(0));
      Optional<InetAddress> rs = Addresses.parse(src.get(1));
      if (s.isEmpty() || d.isEmpty() || rs.isEmpty()) {
        continue;
      }
      entries.add(
          new Entry(
              family,
              protocol.get(),
              s.get(),
              d.get(),
              Integer.parseInt(sport.get(0)),
              Integer.parseInt(dport.get(0)),
              rs.get(),
              Integer.parseInt(sport.get(1))));
    }
    return entries;
  }

  /**
   * Current connections per forward (the forwards' list order), counted from one listing per
   * family.
   */
  public Map<CompiledForward, Long> count(List<CompiledForward> forwards) throws IOException {
    Map<CompiledForward, Long> counts = new HashMap<>();
    for (IpFamily family : IpFamily.values()) {
      if (forwards.stream().noneMatch(f -> f.family() == family)) {
        continue;
      }
      List<Entry> entries = list(family);
      for (CompiledForward forward : forwards) {
        if (forward.family() == family) {
          counts.put(forward, entries.stream().filter(e -> e.carriedBy(forward)).count());
        }
      }
    }
    return counts;
  }

  /**
   * Deletes UDP entries made stale by {@code changes}; returns how many were deleted. Entries that
   * vanish meanwhile are not an error.
   */
  public int deleteStaleUdp(List<ForwardChange> changes) throws IOException {
    List<ForwardChange> udp =
        changes.stream().filter(c -> c.subject().protocol() == Protocol.UDP).toList();
    int deleted = 0;
    for (IpFamily family : IpFamily.values()) {
      if (udp.stream().noneMatch(c -> c.subject().family() == family)) {
        continue;
      }
      for (Entry entry : list(family)) {
        if (entry.protocol() != Protocol.UDP || !stale(entry, udp)) {
          continue;
        }
        CommandResult result =
            runner.run(
                List.of(
                    "conntrack",
                    "-D",
                    "-f",
                    family == IpFamily.IPV4 ? "ipv4" : "ipv6",
                    "-p",
                    "udp",
                    "-s",
                    Addresses.format(entry.source()),
                    "-d",
                    Addresses.format(entry.destination()),
                    "--sport",
                    Integer.toString(entry.sourcePort()),
                    "--dport",
                    Integer.toString(entry.destinationPort())));
        if (result.succeeded()) {
          deleted++;
        }
      }
    }
    return deleted;
  }

  private static boolean stale(Entry entry, List<ForwardChange> changes) {
    for (ForwardChange change : changes) {
      if (change.before().map(entry::carriedBy).orElse(false)
          || change.after().map(entry::untranslatedOn).orElse(false)) {
        return true;
      }
    }
    return false;
  }
}
