package dev.portfwd.cli;

import com.sun.net.httpserver.HttpHandler;
import dev.portfwd.web.Dashboard;
import dev.portfwd.web.LoginThrottle;
import dev.portfwd.web.PasswordFile;
import dev.portfwd.web.SecretFiles;
import dev.portfwd.web.Sessions;
import dev.portfwd.web.TokenStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

/** The dashboard of {@code watch --http}, wired to the service's engine and state directory. */
final class DashboardRoutes {

  private DashboardRoutes() {}

  static Map<String, HttpHandler> of(
      Invocation.ServiceState service, boolean managesSysctls, boolean tls, Consumer<String> log) {
    Clock clock = Clock.systemUTC();
    SecureRandom random = new SecureRandom();
    SecretFiles files;
    try {
      // Read at every login: the password hash and the tokens decide who may change the kernel,
      // so they come only from a state directory no other user could change.
      files = new SecretFiles(service.store().requireSafe());
    } catch (IOException e) {
      throw PortfwdException.failure("cannot serve the dashboard: " + e.getMessage(), e);
    }
    return new Dashboard(
            new DashboardService(service, managesSysctls, clock),
            new PasswordFile(files.passwordFile()),
            new TokenStore(files.tokenFile(), clock, random),
            new Sessions(clock, random),
            new LoginThrottle(clock),
            tls,
            log)
        .routes();
  }
}
