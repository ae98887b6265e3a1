package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.demo.Demo;
import dev.portfwd.demo.HaDemo;
import dev.portfwd.engine.EngineException;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.Root;
import dev.portfwd.host.SystemPrograms;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portfwd demo}: shows forwarding work end to end in throwaway namespaces. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show portfwd at work in throwaway network namespaces; needs root.",
      "Builds namespaces (client, gateway, backend behind a 'VPN'), starts a web server on the backend, shows a request",
      "failing, applies examples/demo-ports.txt in the gateway, shows it answered, prints status, and",
      "deletes everything again (also on Ctrl-C). This host's own network is not touched."
    })
final class DemoCommand implements Runnable {

  /** What the demo runs: namespaces and sockets (ip, ss), rules (nft), the client's request. */
  static final List<String> DEMO_PROGRAMS = List.of("ip", "ss", "nft", "bash", "timeout");

  @Spec CommandSpec spec;

  @Option(
      names = "--ha",
      description =
          "Show an HA pair instead: keepalived and conntrackd on two gateways, a download kept"
              + " through the failover of the active one. Needs keepalived and conntrackd.")
  boolean ha;

  @Option(
      names = "--failovers",
      paramLabel = "N",
      defaultValue = "1",
      description = "With --ha: fail over N times, back and forth (default: ${DEFAULT-VALUE}).")
  int failovers;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (ha) {
      runHa(out);
      return;
    }
    ProcessCommandRunner runner = new ProcessCommandRunner();
    try {
      Root.require(runner);
    } catch (BackendException e) {
      throw PortfwdException.failure(
          "the demo creates network namespaces, which needs root; run it with sudo");
    }
    List<String> missing =
        DEMO_PROGRAMS.stream().filter(program -> !runner.isInstalled(program)).toList();
    if (!missing.isEmpty()) {
      throw PortfwdException.failure(
          "the demo needs "
              + String.join(", ", missing)
              + ", not installed here; install "
              + (missing.size() == 1 ? "it" : "them")
              + ": apt-get install "
              + missing.stream()
                  .map(p -> SystemPrograms.debianPackage(p).orElse(p))
                  .distinct()
                  .collect(Collectors.joining(" ")));
    }
    try {
      if (!new Demo(out, live -> StatusCommand.text("nftables", live)).run()) {
        throw PortfwdException.failure(
            "the forwarded request was not answered; see the steps above");
      }
    } catch (IOException | EngineException e) {
      throw PortfwdException.failure("demo failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("demo interrupted");
    }
  }

  private void runHa(PrintWriter out) {
    if (failovers < 1 || failovers > 50) {
      throw PortfwdException.invalidInput("--failovers: expected 1 to 50, found " + failovers);
    }
    ProcessCommandRunner runner = new ProcessCommandRunner();
    try {
      Root.require(runner);
    } catch (BackendException e) {
      throw PortfwdException.failure(
          "the demo creates network namespaces, which needs root; run: sudo bin/portfwd demo --ha");
    }
    for (String tool : new String[] {"ip", "nft", "ss", "keepalived", "conntrackd"}) {
      if (!runner.isInstalled(tool)) {
        throw PortfwdException.failure(
            "the HA demo needs '"
                + tool
                + "'; install iproute2, nftables, keepalived and conntrackd");
      }
    }
    try {
      HaDemo.Outcome outcome = new HaDemo(out, failovers).run();
      out.println(outcome.summary());
      out.flush();
      if (!outcome.kept()) {
        throw PortfwdException.failure("the connection did not survive the failover");
      }
    } catch (IOException | EngineException e) {
      throw PortfwdException.failure("demo failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("demo interrupted");
    }
  }
}
