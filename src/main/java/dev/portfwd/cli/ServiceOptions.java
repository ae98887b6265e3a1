package dev.portfwd.cli;

import dev.portfwd.service.ControlClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --direct} and {@code --control}, on every command a running service can run. The client
 * reads them before picocli does ({@link ControlClient}); here they are declared so that help lists
 * them and the service, which receives the same arguments, accepts them.
 */
final class ServiceOptions {

  @Option(
      names = "--direct",
      description =
          "Run in this process even when a portfwd service (watch) runs for the same state"
              + " directory; by default the command runs in the service.")
  boolean direct;

  @Option(
      names = "--control",
      paramLabel = "PATH",
      description =
          "The service's control socket (default: $"
              + ControlClient.ENV
              + " or "
              + ControlClient.DEFAULT_SOCKET
              + ").")
  Path control;
}
