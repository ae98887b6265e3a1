package dev.portfwd.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaEndpoint;
import dev.portfwd.ha.HaGateway;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.ha.HaTableCheck;
import dev.portfwd.ha.NotifyScript;
import dev.portfwd.ha.VirtualAddress;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.ForwardTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code doctor --ha}: whether this gateway of an HA pair can take over without losing connections.
 * Reads the VRRP state the notify hook recorded, where the virtual addresses sit ({@code ip -j
 * addr}), whether conntrackd answers on its socket and hears its peer (its count of received sync
 * packets grows: FTFW sends a keep-alive every second even when idle), liberal TCP tracking, and
 * the table's {@code snat=}.
 */
public final class HaPairCheck {

  private static final Pattern RECEIVED = Pattern.compile("(\\d+) Pckts recv");

  private final CommandRunner runner;
  private final Duration peerWait;

  /** {@code peerWait}: how long to watch conntrackd's received count grow (about 1.5 s). */
  public HaPairCheck(CommandRunner runner, Duration peerWait) {
    this.runner = runner;
    this.peerWait = peerWait;
  }

  /** The findings for {@code self} of {@code pair}, its files under {@code paths}. */
  public List<Finding> examine(
      HaDescription pair, HaGateway self, HaPaths paths, Optional<ForwardTable> table)
      throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    String state = state(paths);
    boolean master = state.equals("MASTER");
    if (state.equals("unknown")) {
      findings.add(
          Finding.host(
              FindingSeverity.WARNING,
              "ha-vrrp-state",
              self.name() + " has no recorded VRRP state (" + paths.vrrpState() + " is missing)",
              "keepalived's notify hook writes it on every state change; without it keepalived is"
                  + " not running or does not run the hook from portfwd ha config",
              "keepalived --use-file " + paths.keepalivedConf(),
              ""));
    } else {
      findings.add(
          Finding.host(
              state.equals("FAULT") ? FindingSeverity.ERROR : FindingSeverity.INFO,
              "ha-vrrp-state",
              self.name() + " is VRRP " + state,
              master
                  ? "it holds the virtual addresses and forwards the pair's connections"
                  : state.equals("BACKUP")
                      ? "it takes over when " + pair.peerOf(self).name() + " stops advertising"
                      : "keepalived found a fault (an interface down): this gateway cannot take over",
              "",
              ""));
    }
    addresses(pair, self, master, state, findings);
    conntrackd(pair, self, paths, master, findings);
    liberal(findings);
    table.ifPresent(
        t -> {
          for (String problem : HaTableCheck.problems(t, pair)) {
            findings.add(
                Finding.host(
                    FindingSeverity.ERROR,
                    "ha-snat",
                    problem,
                    "backends answer the address a forward translates to; only the virtual"
                        + " VPN-side address moves to the gateway that takes over",
                    "",
                    "edit the table, then portfwd apply"));
          }
        });
    return findings;
  }

  private void addresses(
      HaDescription pair, HaGateway self, boolean master, String state, List<Finding> findings) {
    JsonNode links;
    try {
      CommandResult result = runner.run(List.of("ip", "-j", "addr", "show"));
      links = new ObjectMapper().readTree(result.stdout());
    } catch (IOException e) {
      findings.add(
          Finding.host(
              FindingSeverity.INFO,
              "ha-virtual-addresses",
              "could not list addresses: " + e.getMessage(),
              "",
              "",
              ""));
      return;
    }
    for (var side :
        List.of(
            new Object[] {pair.virtualPublic(), self.publicSide()},
            new Object[] {pair.virtualVpn(), self.vpnSide()})) {
      VirtualAddress virtual = (VirtualAddress) side[0];
      HaEndpoint own = (HaEndpoint) side[1];
      Optional<String> holder = interfaceHolding(links, Addresses.format(virtual.address()));
      String where = holder.map(i -> "is on " + i).orElse("is not on this gateway");
      boolean right = master ? holder.equals(Optional.of(own.interfaceName())) : holder.isEmpty();
      if (state.equals("unknown")) {
        right = true; // nothing to compare with; the state finding says why
      }
      findings.add(
          Finding.host(
              right ? FindingSeverity.INFO : FindingSeverity.ERROR,
              "ha-virtual-addresses",
              "virtual address "
                  + virtual
                  + " "
                  + where
                  + (right
                      ? ", as VRRP state " + state + " says"
                      : ", but this gateway is " + state),
              right
                  ? ""
                  : master
                      ? "clients or backends reach a dead address: keepalived did not add it"
                      : "two gateways answer for one address (or a stale copy): packets go to"
                          + " whichever answered ARP last",
              right || master ? "" : "ip addr del " + virtual + " dev " + holder.orElse(""),
              ""));
    }
  }

  private static Optional<String> interfaceHolding(JsonNode links, String address) {
    for (JsonNode link : links) {
      for (JsonNode info : link.path("addr_info")) {
        if (address.equals(info.path("local").asText())) {
          return Optional.of(link.path("ifname").asText());
        }
      }
    }
    return Optional.empty();
  }

  private void conntrackd(
      HaDescription pair, HaGateway self, HaPaths paths, boolean master, List<Finding> findings)
      throws InterruptedException {
    String conf = paths.conntrackdConf().toString();
    Optional<Long> first = received(conf);
    if (first.isEmpty()) {
      findings.add(
          Finding.host(
              FindingSeverity.ERROR,
              "ha-conntrackd",
              "conntrackd does not answer on " + paths.conntrackdSocket(),
              "without it no connection state reaches the peer, so a failover ends every"
                  + " connection",
              "conntrackd -C " + conf + " -d",
              ""));
      return;
    }
    Thread.sleep(peerWait.toMillis());
    long grown = received(conf).orElse(first.get()) - first.get();
    HaGateway peer = pair.peerOf(self);
    if (grown > 0) {
      findings.add(
          Finding.host(
              FindingSeverity.INFO,
              "ha-conntrackd",
              "conntrackd runs and hears "
                  + peer.name()
                  + " over "
                  + self.sync().interfaceName()
                  + " ("
                  + grown
                  + " sync packets in "
                  + peerWait.toMillis()
                  + " ms)",
              "",
              "",
              ""));
    } else {
      findings.add(
          Finding.host(
              master ? FindingSeverity.ERROR : FindingSeverity.WARNING,
              "ha-sync-peer",
              "conntrackd runs but hears nothing from "
                  + peer.name()
                  + " at "
                  + Addresses.format(peer.sync().address())
                  + " over "
                  + self.sync().interfaceName(),
              master
                  ? "the peer gets no connection state, so if this gateway fails its connections"
                      + " end; and if the peer is up but cut off, it may be VRRP MASTER as well"
                      + " (split brain: both answer for the virtual addresses)"
                  : "this gateway gets no connection state: connections would end if it took over",
              "ping -c 3 -I "
                  + self.sync().interfaceName()
                  + " "
                  + Addresses.format(peer.sync().address()),
              "check the sync link and that conntrackd runs on " + peer.name()));
    }
  }

  private Optional<Long> received(String conf) {
    try {
      CommandResult result = runner.run(List.of("conntrackd", "-C", conf, "-s", "network"));
      Matcher m = RECEIVED.matcher(result.stdout());
      return result.succeeded() && m.find()
          ? Optional.of(Long.parseLong(m.group(1)))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void liberal(List<Finding> findings) {
    Path sysctl = Path.of(NotifyScript.LIBERAL_TCP_SYSCTL);
    String value;
    try {
      value = Files.exists(sysctl) ? Files.readString(sysctl).strip() : "absent";
    } catch (IOException e) {
      value = "unreadable";
    }
    if (!value.equals("1")) {
      findings.add(
          Finding.host(
              FindingSeverity.WARNING,
              "ha-liberal-tcp",
              "net.netfilter.nf_conntrack_tcp_be_liberal is " + value,
              "copied entries carry no TCP window, so the first segments after a failover could"
                  + " count as invalid, stay untranslated and be answered with a reset",
              "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1",
              "the notify hook sets it on every state change"));
    }
  }

  private static String state(HaPaths paths) {
    try {
      return Files.exists(paths.vrrpState())
          ? Files.readString(paths.vrrpState()).strip()
          : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
