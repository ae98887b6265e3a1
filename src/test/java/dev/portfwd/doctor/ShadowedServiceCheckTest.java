package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShadowedServiceCheckTest {

  private final ShadowedServiceCheck check = new ShadowedServiceCheck();

  private static ListeningSocket listener(
      Protocol protocol, String address, int port, String process, long pid) {
    return new ListeningSocket(
        protocol, Optional.of(Facts.ip(address)), port, Optional.of(process), Optional.of(pid));
  }

  @Test
  void forwardingTheSshPortIsAnError() {
    ForwardTable table = Facts.table("22 192.0.2.2 22 tcp\n");
    Facts facts = Facts.healthy(table);
    facts.listeners.add(listener(Protocol.TCP, "0.0.0.0", 22, "sshd", 812));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what()).contains("22/tcp").contains("sshd (pid 812)");
              assertThat(f.why()).contains("lose SSH access");
              assertThat(f.fix()).isEmpty();
            });
  }

  @Test
  void anotherServiceIsAWarningWithItsPid() {
    ForwardTable table = Facts.table("8080 192.0.2.2 80\n");
    Facts facts = Facts.healthy(table);
    facts.listeners.add(listener(Protocol.TCP, "203.0.113.1", 8080, "socat", 4242));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
              assertThat(f.fix()).isEqualTo("kill 4242");
            });
  }

  @Test
  void loopbackOtherPortsOtherProtocolsAndOtherAddressesAreFine() {
    ForwardTable table = Facts.table("198.51.100.7:8080 192.0.2.2 80 tcp\n");
    Facts facts = Facts.healthy(table);
    facts.listeners.add(listener(Protocol.TCP, "127.0.0.1", 8080, "a", 1));
    facts.listeners.add(listener(Protocol.TCP, "0.0.0.0", 8081, "b", 2));
    facts.listeners.add(listener(Protocol.UDP, "0.0.0.0", 8080, "c", 3));
    facts.listeners.add(listener(Protocol.TCP, "203.0.113.1", 8080, "d", 4));
    assertThat(check.check(table, facts.build())).isEmpty();
  }

  @Test
  void aPortInsideAForwardedRangeIsShadowed() {
    ForwardTable table = Facts.table("5000-5010 192.0.2.2 udp\n");
    Facts facts = Facts.healthy(table);
    facts.listeners.add(
        new ListeningSocket(
            Protocol.UDP, Optional.empty(), 5005, Optional.empty(), Optional.empty()));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(f -> assertThat(f.what()).contains("5005/udp on every address"));
  }
}
