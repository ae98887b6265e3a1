package dev.portfwd.cli;

import dev.portfwd.service.ControlClient;
import dev.portfwd.service.ControlServer;
import dev.portfwd.service.ControlServer.Request;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * Runs the commands clients send to the service: the same picocli commands as on the command line,
 * with the client's input, output and working directory, and the service's state directory, kernel
 * session and engine ({@link Invocation#served}). So both paths print the same and exit the same.
 */
final class ServiceHandler implements ControlServer.Handler {

  private final Invocation.ServiceState service;
  private final Runnable invalidApply;
  private final Consumer<String> log;

  /**
   * @param invalidApply told of each {@code apply} refused for its input (a table with errors), so
   *     the service's metrics count it as {@code invalid}
   */
  ServiceHandler(Invocation.ServiceState service, Runnable invalidApply, Consumer<String> log) {
    this.service = service;
    this.invalidApply = invalidApply;
    this.log = log;
  }

  @Override
  public Optional<String> refusal(Request request) {
    if (request.argv().isEmpty() || !ControlClient.SERVED.contains(request.argv().get(0))) {
      return Optional.of("the service does not run that command");
    }
    if (!request.stateDir().equals(service.store().dir())) {
      return Optional.of("this service keeps its state in " + service.store().dir());
    }
    return Optional.empty();
  }

  @Override
  public int run(Request request, InputStream stdin, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = Portfwd.newCommandLine(Invocation.served(request, stdin, service));
    commandLine.setOut(out);
    commandLine.setErr(err);
    int exit = commandLine.execute(request.argv().toArray(String[]::new));
    if (exit == ExitCode.INVALID_INPUT && request.argv().get(0).equals("apply")) {
      invalidApply.run();
    }
    log.accept("ran '" + request.argv().get(0) + "' for a client: exit " + exit);
    return exit;
  }
}
