package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConntrackTest {

  static final String LISTING =
      """
      udp      17 28 src=203.0.113.10 dst=203.0.113.1 sport=40000 dport=13111 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=13111 dport=40000 mark=0 use=1
      udp      17 20 src=203.0.113.11 dst=203.0.113.1 sport=40001 dport=13111 [UNREPLIED] src=203.0.113.1 dst=203.0.113.11 sport=13111 dport=40001 mark=0 use=1
      tcp      6 431999 ESTABLISHED src=203.0.113.10 dst=203.0.113.1 sport=50000 dport=13102 src=192.0.2.2 dst=192.0.2.1 sport=80 dport=50000 [ASSURED] mark=0 use=1
      icmp     1 29 src=203.0.113.10 dst=203.0.113.1 type=8 code=0 id=7 src=203.0.113.1 dst=203.0.113.10 type=0 code=0 id=7 mark=0 use=1
      """;

  static CompiledForward forward(Protocol protocol, int port, String backend, int backendPort) {
    return new CompiledForward(
        IpFamily.IPV4,
        Optional.empty(),
        protocol,
        PortRange.of(port),
        Addresses.parse(backend).orElseThrow(),
        PortRange.of(backendPort),
        List.of(),
        true,
        "");
  }

  @Test
  void parsesOriginalAndReplyTuplesAndSkipsOtherProtocols() {
    assertThat(Conntrack.parse(IpFamily.IPV4, LISTING)).hasSize(3);
  }

  @Test
  void countsOnlyConnectionsTranslatedByTheForward() {
    List<Conntrack.Entry> entries = Conntrack.parse(IpFamily.IPV4, LISTING);
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.TCP, 13102, "192.0.2.2", 80))))
        .hasSize(1);
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.TCP, 13102, "192.0.2.3", 80))))
        .isEmpty();
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.UDP, 13111, "192.0.2.2", 13111))))
        .hasSize(1);
  }

  @Test
  void findsUntranslatedEntriesThatWouldShadowANewUdpForward() {
    List<Conntrack.Entry> entries = Conntrack.parse(IpFamily.IPV4, LISTING);
    assertThat(
            entries.stream()
                .filter(e -> e.untranslatedOn(forward(Protocol.UDP, 13111, "192.0.2.2", 13111))))
        .singleElement()
        .satisfies(e -> assertThat(Addresses.format(e.source())).isEqualTo("203.0.113.11"));
  }

  /** A listing line: original tuple, then the reply tuple as the kernel prints it. */
  static String line(
      String protocol,
      String source,
      String destination,
      int sourcePort,
      int port,
      String replySource,
      int replyPort) {
    String number = protocol.equals("udp") ? "17 29" : "6 431999 ESTABLISHED";
    return protocol
        + " "
        + number
        + " src="
        + source
        + " dst="
        + destination
        + " sport="
        + sourcePort
        + " dport="
        + port
        + " src="
        + replySource
        + " dst="
        + source
        + " sport="
        + replyPort
        + " dport="
        + sourcePort
        + " mark=0 use=1\n";
  }

  /**
   * A conntrack that holds entries as listing lines: answers {@code -L -f FAMILY} with them and
   * applies {@code -D} filters, from {@code -R -} or the command line, as the tool does (an entry
   * goes when every option given matches it). Without {@code loadFile} it refuses {@code -R} as
   * conntrack before 1.4.7 does.
   */
  static final class FakeConntrack implements CommandRunner {
    final List<String> lines = new ArrayList<>();
    final List<List<String>> ran = new ArrayList<>();
    final List<String> inputs = new ArrayList<>();
    private final boolean loadFile;

    FakeConntrack(boolean loadFile) {
      this.loadFile = loadFile;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      ran.add(argv);
      inputs.add(stdin);
      List<String> args = argv.subList(1, argv.size());
      if (args.get(0).equals("-L")) {
        return new CommandResult(argv, 0, String.join("", lines), "");
      }
      if (args.equals(List.of("-R", "-"))) {
        if (!loadFile) {
          return new CommandResult(argv, 2, "", "conntrack v1.4.6: unknown option `-R'\n");
        }
        StringBuilder deleted = new StringBuilder();
        stdin.lines().forEach(l -> deleted.append(delete(List.of(l.split(" ")))));
        return new CommandResult(argv, 0, deleted.toString(), "");
      }
      String deleted = delete(args);
      return new CommandResult(argv, deleted.isEmpty() ? 1 : 0, deleted, "");
    }

    private String delete(List<String> args) {
      assertThat(args.get(0)).isEqualTo("-D");
      Map<String, String> filter = new HashMap<>();
      for (int i = 1; i < args.size(); i += 2) {
        filter.put(args.get(i), args.get(i + 1));
      }
      StringBuilder deleted = new StringBuilder();
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        Conntrack.Entry e = Conntrack.parse(IpFamily.IPV4, line).get(0);
        boolean v6 = e.source() instanceof Inet6Address;
        boolean matches =
            filter.getOrDefault("-f", v6 ? "ipv6" : "ipv4").equals(v6 ? "ipv6" : "ipv4")
                && filter.getOrDefault("-p", e.protocol().keyword()).equals(e.protocol().keyword())
                && matches(filter.get("-s"), Addresses.format(e.source()))
                && matches(filter.get("--sport"), Integer.toString(e.sourcePort()))
                && matches(filter.get("-d"), Addresses.format(e.destination()))
                && matches(filter.get("--dport"), Integer.toString(e.destinationPort()))
                && matches(filter.get("-r"), Addresses.format(e.replySource()))
                && matches(filter.get("--reply-port-src"), Integer.toString(e.replySourcePort()));
        if (matches) {
          it.remove();
          deleted.append(line);
        }
      }
      return deleted.toString();
    }

    private static boolean matches(String wanted, String actual) {
      return wanted == null || wanted.equals(actual);
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }

  /** The reference answer: an entry is stale when the test of {@link Conntrack.Entry} says so. */
  static boolean staleByDefinition(Conntrack.Entry entry, List<ForwardChange> changes) {
    for (ForwardChange change : changes) {
      if (entry.protocol() == Protocol.UDP
          && (change.before().map(entry::carriedBy).orElse(false)
              || change.after().map(entry::untranslatedOn).orElse(false))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void deletesStaleUdpEntriesWithOneProcessAndOneFilterPerForwardAndPort() throws IOException {
    FakeConntrack kernel = new FakeConntrack(true);
    for (int client = 0; client < 100; client++) {
      // Translated to the old backend of 13111: stale, 100 entries, one filter.
      kernel.lines.add(
          line("udp", "203.0.113.10", "203.0.113.1", 40000 + client, 13111, "192.0.2.2", 13111));
    }
    kernel.lines.add(line("udp", "203.0.113.11", "203.0.113.1", 41000, 13111, "192.0.2.3", 13111));
    kernel.lines.add(line("tcp", "203.0.113.11", "203.0.113.1", 41000, 13111, "192.0.2.2", 13111));
    // To the gateway itself on the port of the added forward 13112: stale.
    kernel.lines.add(
        line("udp", "203.0.113.12", "203.0.113.1", 42000, 13112, "203.0.113.1", 13112));
    kernel.lines.add(
        line("udp", "203.0.113.13", "198.51.100.7", 42000, 13112, "198.51.100.7", 13112));
    // To the gateway on a port no forward uses: kept.
    kernel.lines.add(
        line("udp", "203.0.113.12", "203.0.113.1", 42001, 13199, "203.0.113.1", 13199));
    // Through the removed range 7000-7009 → 9000-9009: stale, one filter per port.
    kernel.lines.add(line("udp", "203.0.113.14", "203.0.113.1", 43000, 7003, "192.0.2.4", 9003));
    kernel.lines.add(line("udp", "203.0.113.15", "203.0.113.1", 43000, 7003, "192.0.2.4", 9003));
    kernel.lines.add(line("udp", "203.0.113.14", "203.0.113.1", 43001, 7005, "192.0.2.4", 9005));
    List<ForwardChange> changes =
        List.of(
            ForwardChange.change(
                forward(Protocol.UDP, 13111, "192.0.2.2", 13111),
                forward(Protocol.UDP, 13111, "192.0.2.3", 13111)),
            ForwardChange.add(forward(Protocol.UDP, 13112, "192.0.2.2", 13112)),
            ForwardChange.remove(
                new CompiledForward(
                    IpFamily.IPV4,
                    Optional.empty(),
                    Protocol.UDP,
                    new PortRange(7000, 7009),
                    Addresses.parse("192.0.2.4").orElseThrow(),
                    new PortRange(9000, 9009),
                    List.of(),
                    true,
                    "")));

    int deleted = new Conntrack(kernel).deleteStaleUdp(changes);

    assertThat(deleted).isEqualTo(105);
    assertThat(kernel.ran)
        .containsExactly(List.of("conntrack", "-L", "-f", "ipv4"), List.of("conntrack", "-R", "-"));
    assertThat(kernel.inputs.get(1).lines())
        .containsExactlyInAnyOrder(
            "-D -f ipv4 -p udp --dport 13111 -r 192.0.2.2 --reply-port-src 13111",
            "-D -f ipv4 -p udp -d 203.0.113.1 --dport 13112 -r 203.0.113.1 --reply-port-src 13112",
            "-D -f ipv4 -p udp -d 198.51.100.7 --dport 13112 -r 198.51.100.7 --reply-port-src 13112",
            "-D -f ipv4 -p udp --dport 7003 -r 192.0.2.4 --reply-port-src 9003",
            "-D -f ipv4 -p udp --dport 7005 -r 192.0.2.4 --reply-port-src 9005");
    assertThat(kernel.lines)
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).containsAnyOf("192.0.2.3", "tcp", "dport=13199"));
  }

  @Test
  void withoutLoadFileRunsOneDeletePerFilter() throws IOException {
    FakeConntrack kernel = new FakeConntrack(false);
    kernel.lines.add(line("udp", "203.0.113.10", "203.0.113.1", 40000, 13111, "192.0.2.2", 13111));
    kernel.lines.add(line("udp", "203.0.113.11", "203.0.113.1", 40001, 13111, "192.0.2.2", 13111));
    kernel.lines.add(
        line("udp", "203.0.113.12", "203.0.113.1", 42000, 13112, "203.0.113.1", 13112));

    int deleted =
        new Conntrack(kernel)
            .deleteStaleUdp(
                List.of(
                    ForwardChange.remove(forward(Protocol.UDP, 13111, "192.0.2.2", 13111)),
                    ForwardChange.add(forward(Protocol.UDP, 13112, "192.0.2.2", 13112))));

    assertThat(deleted).isEqualTo(3);
    assertThat(kernel.lines).isEmpty();
    assertThat(kernel.ran)
        .containsExactly(
            List.of("conntrack", "-L", "-f", "ipv4"),
            List.of("conntrack", "-R", "-"),
            List.of(
                "conntrack",
                "-D",
                "-f",
                "ipv4",
                "-p",
                "udp",
                "--dport",
                "13111",
                "-r",
                "192.0.2.2",
                "--reply-port-src",
                "13111"),
            List.of(
                "conntrack",
                "-D",
                "-f",
                "ipv4",
                "-p",
                "udp",
                "-d",
                "203.0.113.1",
                "--dport",
                "13112",
                "-r",
                "203.0.113.1",
                "--reply-port-src",
                "13112"));
  }

  /**
   * Random tables and listings: the filters delete exactly the entries that the stale test finds,
   * no more (entries of unchanged forwards, other backends, TCP) and no fewer.
   */
  @Test
  void theFiltersDeleteExactlyTheEntriesTheStaleTestFinds() throws IOException {
    Random random = new Random(12);
    String[] backends = {"192.0.2.2", "192.0.2.3", "192.0.2.4"};
    String[] gateway = {"203.0.113.1", "198.51.100.7"};
    for (int round = 0; round < 50; round++) {
      List<ForwardChange> changes = new ArrayList<>();
      List<CompiledForward> all = new ArrayList<>();
      for (int port = 13100; port < 13120; port++) {
        Protocol protocol = random.nextBoolean() ? Protocol.UDP : Protocol.TCP;
        Optional<InetAddress> address =
            random.nextInt(4) == 0 ? Addresses.parse(gateway[random.nextInt(2)]) : Optional.empty();
        CompiledForward old = forward(protocol, address, port, backends[random.nextInt(3)]);
        CompiledForward now = forward(protocol, address, port, backends[random.nextInt(3)]);
        all.add(old);
        switch (random.nextInt(4)) {
          case 0 -> changes.add(ForwardChange.add(now));
          case 1 -> changes.add(ForwardChange.remove(old));
          case 2 -> changes.add(ForwardChange.change(old, now));
          default -> {}
        }
      }
      FakeConntrack kernel = new FakeConntrack(random.nextBoolean());
      for (int i = 0; i < 200; i++) {
        CompiledForward f = all.get(random.nextInt(all.size()));
        int port = f.externalPorts().first() + (random.nextInt(10) == 0 ? 50 : 0);
        String destination =
            f.externalAddress().map(Addresses::format).orElse(gateway[random.nextInt(2)]);
        String reply =
            random.nextInt(3) == 0 ? destination : backends[random.nextInt(backends.length)];
        String protocol = random.nextInt(5) == 0 ? "tcp" : "udp";
        kernel.lines.add(
            line(
                protocol, "203.0.113." + (10 + i % 50), destination, 40000 + i, port, reply, port));
      }
      List<String> expected =
          kernel.lines.stream()
              .filter(l -> !staleByDefinition(Conntrack.parse(IpFamily.IPV4, l).get(0), changes))
              .toList();

      int deleted = new Conntrack(kernel).deleteStaleUdp(changes);

      assertThat(kernel.lines).as("round %d", round).containsExactlyElementsOf(expected);
      assertThat(deleted).isEqualTo(200 - expected.size());
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard; speed is bench/RESULTS.md's
  void countsEachEntryOnlyAgainstTheForwardsOnItsPort() throws IOException {
    // 100,000 forwards and as many entries: 10^10 comparisons for a count of every pair, one
    // lookup per entry with the index (timings in bench/RESULTS.md).
    int size = 100_000;
    List<CompiledForward> table = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Protocol protocol = i % 2 == 0 ? Protocol.TCP : Protocol.UDP;
      table.add(forward(protocol, Optional.empty(), 10_000 + i / 2, "192.0.2." + (2 + i % 200)));
    }
    StringBuilder listing = new StringBuilder();
    for (int i = 0; i < size; i++) {
      CompiledForward f = table.get(i);
      int port = f.externalPorts().first();
      String reply = i % 7 == 0 ? "192.0.2.250" : Addresses.format(f.backend());
      listing.append(
          line(
              f.protocol().keyword(),
              "203.0.113." + (10 + i % 200),
              "203.0.113.1",
              20_000 + i % 40_000,
              port,
              reply,
              port));
    }
    CommandRunner runner =
        new CommandRunner() {
          @Override
          public CommandResult run(List<String> argv, String stdin) {
            return new CommandResult(argv, 0, listing.toString(), "");
          }

          @Override
          public boolean isInstalled(String program) {
            return true;
          }
        };

    Map<CompiledForward, Long> counts = new Conntrack(runner).count(table);

    assertThat(counts).hasSize(size);
    assertThat(counts.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(size - (size + 6) / 7);
    assertThat(counts.get(table.get(0))).isZero(); // its entry is answered by 192.0.2.250
    assertThat(counts.get(table.get(1))).isEqualTo(1);
  }

  static CompiledForward forward(
      Protocol protocol, Optional<InetAddress> address, int port, String backend) {
    return new CompiledForward(
        IpFamily.IPV4,
        address,
        protocol,
        PortRange.of(port),
        Addresses.parse(backend).orElseThrow(),
        PortRange.of(port),
        List.of(),
        true,
        "");
  }
}
