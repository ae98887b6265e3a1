package dev.portfwd.cli;

import picocli.CommandLine.Command;

/** {@code portfwd ha}: the commands of an HA pair (two gateways sharing the addresses). */
@Command(
    name = "ha",
    mixinStandardHelpOptions = true,
    subcommands = {HaConfigCommand.class},
    description = {
      "Run two gateways as a pair that shares the public and VPN-side addresses:",
      "keepalived (VRRP) moves the addresses, conntrackd copies connection state."
    })
final class HaCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw PortfwdException.invalidInput("name a subcommand: portfwd ha config");
  }
}
