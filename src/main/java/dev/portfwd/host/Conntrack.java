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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's connection tracking table, through the {@code conntrack} tool: how many connections
 * each forward carries now, and removal of stale UDP entries after a change.
 *
 * <p>UDP has no end of connection: an entry made before a forward changed keeps sending the
 * client's datagrams where they went before (to the old backend, or to the gateway itself) until it
 * times out. So after apply, entries of changed or removed UDP forwards, and untranslated entries
 * on the ports of added ones, are deleted. Each family's list is read once, matched against the
 * forwards through an index, and the stale entries are deleted in groups by one conntrack process.
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

  /** conntrack's exit code for a command line it does not understand. */
  private static final int USAGE_ERROR = 2;

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
   * Current connections per forward, counted from one listing per family: each entry is matched
   * only against the forwards on its own port ({@link ForwardIndex}), so the work grows with
   * entries plus forwards, not their product.
   */
  public Map<CompiledForward, Long> count(List<CompiledForward> forwards) throws IOException {
    Map<CompiledForward, Long> counts = new HashMap<>();
    for (IpFamily family : IpFamily.values()) {
      List<CompiledForward> ofFamily = forwards.stream().filter(f -> f.family() == family).toList();
      if (ofFamily.isEmpty()) {
        continue;
      }
      ofFamily.forEach(f -> counts.put(f, 0L));
      ForwardIndex index = new ForwardIndex(ofFamily);
      for (Entry entry : list(family)) {
        for (CompiledForward forward :
            index.at(family, entry.protocol(), entry.destination(), entry.destinationPort())) {
          if (entry.carriedBy(forward)) {
            counts.merge(forward, 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }

  /**
   * Deletes UDP entries made stale by {@code changes}; returns how many were deleted. Entries that
   * vanish meanwhile are not an error.
   *
   * <p>The stale entries found in one listing per family are grouped by what makes them stale, and
   * each group is deleted by one filter ({@link #staleFilters}): entries a forward translated, by
   * its port and backend tuple; entries to the gateway itself, by address and port. All filters go
   * to one {@code conntrack -R -} (conntrack 1.4.7 and later), or, where conntrack has no {@code
   * -R}, to one {@code conntrack -D} each; either way one process, or one per group, rather than
   * one per entry. A filter matches exactly the entries that the same test finds stale, so the
   * kernel loses the same entries as by deleting them one by one (and any such entry made since the
   * listing).
   */
  public int deleteStaleUdp(List<ForwardChange> changes) throws IOException {
    int deleted = 0;
    for (IpFamily family : IpFamily.values()) {
      List<CompiledForward> before = new ArrayList<>();
      List<CompiledForward> after = new ArrayList<>();
      for (ForwardChange change : changes) {
        if (change.subject().protocol() == Protocol.UDP && change.subject().family() == family) {
          change.before().ifPresent(before::add);
          change.after().ifPresent(after::add);
        }
      }
      if (before.isEmpty() && after.isEmpty()) {
        continue;
      }
      Set<List<String>> filters = staleFilters(family, list(family), before, after);
      if (!filters.isEmpty()) {
        deleted += delete(filters);
      }
    }
    return deleted;
  }

  /**
   * The {@code conntrack -D} arguments that delete the stale ones of {@code entries}: those that a
   * forward of {@code before} translated, and those that went to the gateway itself on the ports of
   * a forward of {@code after}. One filter per forward and port (translated) or per address and
   * port (untranslated), however many entries share it.
   */
  static Set<List<String>> staleFilters(
      IpFamily family,
      List<Entry> entries,
      List<CompiledForward> before,
      List<CompiledForward> after) {
    ForwardIndex was = new ForwardIndex(before);
    ForwardIndex will = new ForwardIndex(after);
    Set<List<String>> filters = new LinkedHashSet<>();
    for (Entry entry : entries) {
      if (entry.protocol() != Protocol.UDP) {
        continue;
      }
      for (CompiledForward forward :
          was.at(family, Protocol.UDP, entry.destination(), entry.destinationPort())) {
        if (entry.carriedBy(forward)) {
          filters.add(
              filter(
                  family,
                  forward.externalAddress(),
                  entry.destinationPort(),
                  forward.backend(),
                  entry.replySourcePort()));
        }
      }
      for (CompiledForward forward :
          will.at(family, Protocol.UDP, entry.destination(), entry.destinationPort())) {
        if (entry.untranslatedOn(forward)) {
          filters.add(
              filter(
                  family,
                  Optional.of(entry.destination()),
                  entry.destinationPort(),
                  entry.destination(),
                  entry.destinationPort()));
        }
      }
    }
    return filters;
  }

  /**
   * {@code -D -f ipv4 -p udp [-d DESTINATION] --dport PORT -r REPLY_SOURCE --reply-port-src
   * REPLY_PORT}: the UDP entries to {@code port} (of {@code destination} when given) whose replies
   * come from {@code replySource}:{@code replyPort}.
   */
  private static List<String> filter(
      IpFamily family,
      Optional<InetAddress> destination,
      int port,
      InetAddress replySource,
      int replyPort) {
    List<String> args =
        new ArrayList<>(
            List.of("-D", "-f", family == IpFamily.IPV4 ? "ipv4" : "ipv6", "-p", "udp"));
    destination.ifPresent(d -> args.addAll(List.of("-d", Addresses.format(d))));
    args.addAll(
        List.of(
            "--dport",
            Integer.toString(port),
            "-r",
            Addresses.format(replySource),
            "--reply-port-src",
            Integer.toString(replyPort)));
    return args;
  }

  /** Runs the deletions; returns how many entries went (conntrack prints each one it deletes). */
  private int delete(Set<List<String>> filters) throws IOException {
    StringBuilder batch = new StringBuilder();
    filters.forEach(args -> batch.append(String.join(" ", args)).append('\n'));
    CommandResult result = runner.run(List.of("conntrack", "-R", "-"), batch.toString());
    if (result.succeeded()) {
      return printedEntries(result);
    }
    if (result.exitCode() != USAGE_ERROR) {
      throw new IOException(result.describeFailure());
    }
    // conntrack before 1.4.7 has no -R and says so as a usage error: one process per filter.
    int deleted = 0;
    for (List<String> args : filters) {
      List<String> argv = new ArrayList<>(List.of("conntrack"));
      argv.addAll(args);
      deleted += printedEntries(runner.run(argv));
    }
    return deleted;
  }

  private static int printedEntries(CommandResult result) {
    return (int) result.stdout().lines().filter(l -> !l.isBlank()).count();
  }
}
