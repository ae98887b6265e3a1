package dev.portfwd.doctor;

import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.host.ProcSys;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Gathers {@link HostFacts} by running read-only programs through a {@link CommandRunner}, so the
 * same code inspects the host or, in tests, a network namespace. Nothing it runs changes the host:
 * only {@code list}, {@code -save}, {@code get}, {@code -L} and plain sysctl reads. A missing
 * program leaves a gap in the facts (reported), never a failure.
 */
public final class HostInspector {

  private static final int PARALLEL = 4;

  private final CommandRunner runner;
  private final InstalledRules installedRules;

  public HostInspector(CommandRunner runner, InstalledRules installedRules) {
    this.runner = runner;
    this.installedRules = installedRules;
  }

  /** Inspects the host for {@code table} (may be empty: then only host-wide facts matter). */
  public HostFacts inspect(ForwardTable table) throws IOException {
    // The programs are independent: run them a few at a time, so doctor waits for the slowest
    // group rather than for the sum. Each group keeps its own gaps, listed in a fixed order.
    ExecutorService pool =
        Executors.newFixedThreadPool(
            PARALLEL,
            task -> {
              Thread thread = new Thread(task, "inspect");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<String> addressGaps = new ArrayList<>();
      List<String> socketGaps = new ArrayList<>();
      List<String> firewallGaps = new ArrayList<>();
      List<String> conntrackGaps = new ArrayList<>();
      Future<List<HostInterface>> interfaces =
          pool.submit(
              () -> HostOutputParsers.interfaces(output(List.of("ip", "-j", "addr"), addressGaps)));
      Future<Map<InetAddress, RouteFact>> routes = pool.submit(() -> routes(table));
      Future<List<ListeningSocket>> listeners = pool.submit(() -> listeners(socketGaps));
      Future<Firewall> firewall = pool.submit(() -> firewall(firewallGaps));
      Future<List<ConntrackEntry>> conntrack = pool.submit(() -> conntrack(conntrackGaps));
      Future<InstalledState> installed =
          pool.submit(() -> installedRules.inspect(Optional.of(table)));
      // Which rp_filter keys to read depends on the interfaces.
      List<HostInterface> ifaces = get(interfaces);
      Map<String, String> sysctls = sysctls(ifaces, addressGaps);
      // Every group must be finished before its gaps are read.
      Map<InetAddress, RouteFact> routeFacts = get(routes);
      List<ListeningSocket> sockets = get(listeners);
      Firewall chains = get(firewall);
      List<ConntrackEntry> entries = get(conntrack);
      InstalledState state = get(installed);
      List<String> gaps = new ArrayList<>(addressGaps);
      gaps.addAll(socketGaps);
      gaps.addAll(firewallGaps);
      gaps.addAll(conntrackGaps);
      if (!state.readable()) {
        gaps.add(state.how());
      }
      return new HostFacts(sysctls, ifaces, routeFacts, sockets, chains, entries, state, gaps);
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T get(Future<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while inspecting the host", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private Map<InetAddress, RouteFact> routes(ForwardTable table) {
    Map<InetAddress, RouteFact> routes = new LinkedHashMap<>();
    for (Forward forward : table.forwards()) {
      routes.computeIfAbsent(forward.backend(), this::route);
    }
    return routes;
  }

  private List<ListeningSocket> listeners(List<String> gaps) throws IOException {
    List<ListeningSocket> listeners = new ArrayList<>();
    listeners.addAll(
        HostOutputParsers.listeners(Protocol.TCP, output(List.of("ss", "-H", "-tlnp"), gaps)));
    listeners.addAll(
        HostOutputParsers.listeners(Protocol.UDP, output(List.of("ss", "-H", "-ulnp"), gaps)));
    return listeners;
  }

  private List<ConntrackEntry> conntrack(List<String> gaps) throws IOException {
    List<ConntrackEntry> conntrack = new ArrayList<>();
    if (!runner.isInstalled("conntrack")) {
      gaps.add(
          "conntrack is not installed: stale UDP entries and unanswered connections cannot be checked"
              + " (apt-get install conntrack)");
      return conntrack;
    }
    for (String family : List.of("ipv4", "ipv6")) {
      Optional<CommandResult> listed = attempt(List.of("conntrack", "-L", "-f", family), gaps);
      if (listed.isEmpty()) {
        break;
      }
      CommandResult result = listed.get();
      if (!result.succeeded()) {
        gaps.add("cannot list conntrack entries: " + result.describeFailure());
        break;
      }
      conntrack.addAll(HostOutputParsers.conntrack(result.stdout()));
    }
    return conntrack;
  }

  private Map<String, String> sysctls(List<HostInterface> interfaces, List<String> gaps)
      throws IOException {
    Set<String> keys =
        new LinkedHashSet<>(
            List.of(
                ForwardingSysctls.IPV4,
                ForwardingSysctls.IPV6,
                "net.ipv4.conf.all.rp_filter",
                "net.ipv4.conf.default.rp_filter"));
    for (HostInterface iface : interfaces) {
      keys.add(HostFacts.rpFilterKey(iface.name()));
    }
    Map<String, String> values;
    try {
      values = ProcSys.of(runner).read(keys);
    } catch (CommandException e) {
      gaps.add(e.getMessage());
      return Map.of();
    }
    if (!values.containsKey(ForwardingSysctls.IPV4)) {
      gaps.add(
          "cannot read sysctls: "
              + ProcSys.path(ProcSys.ROOT, ForwardingSysctls.IPV4)
              + " could not be read");
    }
    return values;
  }

  private RouteFact route(InetAddress backend) {
    String family = backend instanceof Inet6Address ? "-6" : "-4";
    String address = Addresses.format(backend);
    try {
      CommandResult get = runner.run(List.of("ip", "-j", family, "route", "get", address));
      if (!get.succeeded()) {
        return RouteFact.none(backend, get.stderr().strip());
      }
      CommandResult match =
          runner.run(List.of("ip", "-j", family, "route", "show", "match", address));
      return HostOutputParsers.route(
          backend, get.stdout(), match.succeeded() ? match.stdout() : null, "");
    } catch (IOException e) {
      return RouteFact.none(backend, "cannot run ip: " + e.getMessage());
    }
  }

  private Firewall firewall(List<String> gaps) throws IOException {
    List<FirewallChain> chains = new ArrayList<>();
    Set<String> iptablesNftTables = new HashSet<>();
    boolean nfTablesFlavour = false;
    for (IpFamily family : IpFamily.values()) {
      String program = family == IpFamily.IPV4 ? "iptables" : "ip6tables";
      String nftFamily = family == IpFamily.IPV4 ? "ip" : "ip6";
      Optional<CommandResult> saved =
          runner.isInstalled(program + "-save")
              ? attempt(List.of(program + "-save"), gaps)
              : Optional.empty();
      if (saved.isPresent()) {
        CommandResult result = saved.get();
        if (result.succeeded()) {
          IptablesSaveParser.Dump dump = IptablesSaveParser.parse(result.stdout(), program, family);
          chains.addAll(dump.chains());
          if (dump.nfTables() || result.stdout().isBlank()) {
            nfTablesFlavour = true;
            dump.tables().forEach(t -> iptablesNftTables.add(nftFamily + " " + t));
          }
        } else {
          gaps.add("cannot read " + program + " rules: " + result.describeFailure());
        }
      }
      // Legacy tables are invisible to nft: read them too when iptables itself is the nft flavour.
      String legacy = program + "-legacy";
      Optional<CommandResult> legacySaved =
          nfTablesFlavour && runner.isInstalled(legacy + "-save")
              ? attempt(List.of(legacy + "-save"), gaps)
              : Optional.empty();
      if (legacySaved.isPresent()) {
        CommandResult result = legacySaved.get();
        if (result.succeeded()) {
          chains.addAll(IptablesSaveParser.parse(result.stdout(), legacy, family).chains());
        } else {
          gaps.add("cannot read " + legacy + " rules: " + result.describeFailure());
        }
      }
    }
    if (runner.isInstalled("nft")) {
      Optional<CommandResult> ruleset = attempt(List.of("nft", "-j", "list", "ruleset"), gaps);
      if (ruleset.isEmpty()) {
        return new Firewall(chains);
      }
      CommandResult result = ruleset.get();
      if (result.succeeded()) {
        try {
          chains.addAll(NftRulesetParser.parse(result.stdout(), iptablesNftTables));
        } catch (IllegalArgumentException e) {
          gaps.add("cannot read the nftables ruleset: " + e.getMessage());
        }
      } else {
        gaps.add("cannot list the nftables ruleset: " + result.describeFailure());
      }
    } else {
      gaps.add("nft is not installed: other tools' nftables rules were not checked");
    }
    return new Firewall(chains);
  }

  private String output(List<String> argv, List<String> gaps) throws IOException {
    if (!runner.isInstalled(argv.get(0))) {
      gaps.add(argv.get(0) + " is not installed: " + String.join(" ", argv) + " could not be read");
      return "";
    }
    Optional<CommandResult> read = attempt(argv, gaps);
    if (read.isEmpty()) {
      return "";
    }
    CommandResult result = read.get();
    if (!result.succeeded()) {
      gaps.add("cannot read " + String.join(" ", argv) + ": " + result.describeFailure());
      return "";
    }
    return result.stdout();
  }

  /**
   * Runs {@code argv}; a program that is missing or had to be stopped at its time limit is a gap in
   * what doctor knows (its one-line message), not the end of the diagnosis.
   */
  private Optional<CommandResult> attempt(List<String> argv, List<String> gaps) throws IOException {
    try {
      return Optional.of(runner.run(argv));
    } catch (CommandException e) {
      gaps.add(e.getMessage());
      return Optional.empty();
    }
  }
}
