package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionFailureTest {

  // The logger ConnectionFailure writes its debug lines to; its level is restored after each test.
  private final Logger relayLogger = Logger.getLogger(ConnectionFailure.class.getPackageName());
  private final Level relayLevel = relayLogger.getLevel();
  private final Logger warnings = Logger.getLogger("dev.portfwd.relay.ConnectionFailureTest");
  private final LogCapture capture = new LogCapture();
  private final List<LogRecord> records = capture.records();
  private final RelayCounters counters = new RelayCounters();
  private final Route route = LineRoutes.of("13102 192.0.2.2 80 tcp", counters);
  private final ConnectionFailure failure =
      new ConnectionFailure(route, new RateLimitedLog(warnings));
  private final AtomicInteger spelledOut = new AtomicInteger();
  private final Supplier<String> client =
      () -> {
        spelledOut.incrementAndGet();
        return "client 203.0.113.10:40000";
      };

  ConnectionFailureTest() {
    relayLogger.addHandler(capture);
    warnings.setUseParentHandlers(false);
    warnings.addHandler(capture);
  }

  @AfterEach
  void restoreLoggers() {
    relayLogger.removeHandler(capture);
    relayLogger.setLevel(relayLevel);
    warnings.removeHandler(capture);
  }

  @Test
  void countsAResetWithoutSpellingOutWhoWhenNoDebugLineIsLogged() {
    relayLogger.setLevel(Level.INFO);
    failure.failed(client, new IOException("Connection reset by peer"));
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
    assertThat(spelledOut).hasValue(0);
    assertThat(records).isEmpty();
  }

  @Test
  void namesWhoAndWhyInTheDebugLineWhenVerbose() {
    relayLogger.setLevel(Level.FINE);
    failure.failed(client, new IOException("Connection reset by peer"));
    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.FINE);
              assertThat(r.getMessage())
                  .isEqualTo(
                      "client 203.0.113.10:40000 on "
                          + route.describe()
                          + ": connection reset by peer");
            });
  }

  @Test
  void explainsAConnectThatFoundNoFreeLocalPortAndOnlyThat() {
    failure.connectFailed(
        "203.0.113.10:40000",
        new java.net.ConnectException("connect(..) failed: Cannot assign requested address"));
    new ConnectionFailure(route, new RateLimitedLog(warnings))
        .connectFailed(
            "203.0.113.10:40001",
            new java.net.ConnectException("connect(..) failed: Connection refused"));
    assertThat(records).hasSize(2);
    assertThat(records.get(0).getMessage())
        .endsWith(
            ": cannot assign requested address: no local port was free towards this backend."
                + " Each connection to it that its client closed first holds its port for a"
                + " minute (TIME_WAIT), which with the kernel's defaults allows about 470 new"
                + " connections a second: sysctl -w net.ipv4.tcp_tw_reuse=1 lets new connections"
                + " reuse those ports, and a wider net.ipv4.ip_local_port_range adds ports");
    assertThat(records.get(1).getMessage()).endsWith(": connection refused");
  }

  @Test
  void warnsWithTheCauseOfAnUnexpectedFailure() {
    relayLogger.setLevel(Level.INFO);
    IllegalStateException bug = new IllegalStateException("bug");
    failure.failed(client, bug);
    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.WARNING);
              assertThat(r.getMessage()).startsWith("client 203.0.113.10:40000 on ");
              assertThat(r.getThrown()).isSameAs(bug);
            });
  }

  @Test
  void countsAndLogsOnlyTheFirstFailureOfAConnection() {
    relayLogger.setLevel(Level.FINE);
    failure.failed(client, new IOException("Connection reset by peer"));
    failure.failed(() -> "backend 192.0.2.2:80", new IOException("Broken pipe"));
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
    assertThat(records).hasSize(1);
  }
}
