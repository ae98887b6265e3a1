package dev.portfwd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.model.BackendMember;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerTest {

  static DesiredState compile(String text) throws CompileException {
    return Compiler.compile(TableParser.parse("t.txt", text).table());
  }

  @Test
  void splitsEachLineIntoOneForwardPerProtocol() throws CompileException {
    assertThat(compile("13102 192.0.2.2 80 # web\n").forwards())
        .extracting(CompiledForward::describe)
        .containsExactly("13102/tcp → 192.0.2.2:80  web", "13102/udp → 192.0.2.2:80  web");
  }

  @Test
  void rejectsEveryLineTheKernelCannotServeAtOnce() {
    assertThatThrownBy(
            () ->
                compile(
                    """
        [2001:db8::1]:80 192.0.2.2 80
        81 192.0.2.2 80 from=2001:db8::/32
        82 192.0.2.2 80 proxy-protocol=v2
        """))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .satisfiesExactly(
                        p ->
                            assertThat(p)
                                .startsWith("t.txt:1:1: error: ")
                                .contains("different IP versions"),
                        p ->
                            assertThat(p)
                                .startsWith("t.txt:2:17: error: ")
                                .contains("from=2001:db8::/32"),
                        p ->
                            assertThat(p)
                                .startsWith("t.txt:3:17: error: proxy-protocol=v2 needs")));
  }

  @Test
  void spreadsRangesAddressedAndRestrictedForwardsWithSnatOverSeveralBackends()
      throws CompileException {
    assertThat(
            compile(
                    """
        8000-8001 192.0.2.2,192.0.2.3 9000-9001 tcp balance=roundrobin
        198.51.100.7:443 192.0.2.2,192.0.2.3 443 tcp balance=hash
        444 192.0.2.2,192.0.2.3 443 tcp balance=hash from=203.0.113.0/24
        80 192.0.2.2,192.0.2.3 80 tcp balance=roundrobin snat=192.0.2.254
        """)
                .forwards())
        .extracting(CompiledForward::describe)
        .containsExactly(
            "80/tcp → 192.0.2.2:80,192.0.2.3:80 roundrobin  snat=192.0.2.254",
            "198.51.100.7:443/tcp → 192.0.2.2:443,192.0.2.3:443 hash",
            "444/tcp → 192.0.2.2:443,192.0.2.3:443 hash  from=203.0.113.0/24",
            "8000-8001/tcp → 192.0.2.2:9000-9001,192.0.2.3:9000-9001 roundrobin");
  }

  @Test
  void refusesSpreadingAForwardWithBothAnExternalAddressAndSources() {
    assertThatThrownBy(
            () ->
                compile(
                    "198.51.100.7:443 192.0.2.2,192.0.2.3 443 tcp balance=hash"
                        + " from=203.0.113.0/24\n"))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("t.txt:1:59: error: balance=hash over several backends")
                    .contains("takes an external address or from=, not both"));
  }

  @Test
  void refusesRoundRobinOverMoreBackendsThanTheKernelRulesCount() {
    assertThatThrownBy(
            () ->
                compile(
                    "80 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.7,"
                        + "192.0.2.8,192.0.2.9 80 tcp balance=roundrobin\n"))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("t.txt:1:101: error: balance=roundrobin spreads over")
                    .contains("at most 8 backends"));
  }

  @Test
  void refusesAMasqueradeNoLineOnABackendPortThatSnatTranslatesOnceANameResolvedToIt()
      throws Exception {
    ForwardTable written =
        TableParser.parse(
                "t.txt",
                "13102 web.test 80 tcp snat=192.0.2.254\n13103 192.0.2.2 80 tcp masquerade=no\n")
            .table();
    Forward named =
        written
            .forwards()
            .get(0)
            .withMembers(
                List.of(new BackendMember("web.test", InetAddress.getByName("192.0.2.2"))));
    ForwardTable resolved = new ForwardTable("t.txt", List.of(named, written.forwards().get(1)));

    assertThatThrownBy(() -> Compiler.compile(resolved))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "t.txt:2:24: error: masquerade=no cannot keep the clients' address on backend"
                            + " 192.0.2.2:80/tcp: line 1 translates it to snat=192.0.2.254 (a name"
                            + " resolved to it), and the kernel chooses the source translation by"
                            + " the backend's address and port alone"));
  }

  @Test
  void refusesTwoSnatAddressesForOneBackendPortOnceANameResolvedToIt() throws Exception {
    ForwardTable written =
        TableParser.parse(
                "t.txt",
                "8080 192.0.2.2 80 tcp snat=192.0.2.1\n"
                    + "8081 web.test 80 tcp snat=192.0.2.9\n"
                    + "8082 192.0.2.3,web.test 80 tcp balance=hash snat=192.0.2.8\n"
                    + "8083 web.test 80 tcp snat=192.0.2.1\n")
            .table();
    InetAddress web = InetAddress.getByName("192.0.2.2");
    List<Forward> forwards = new java.util.ArrayList<>(written.forwards());
    forwards.set(1, forwards.get(1).withMembers(List.of(new BackendMember("web.test", web))));
    forwards.set(
        2,
        forwards
            .get(2)
            .withMembers(
                List.of(
                    new BackendMember("192.0.2.3", InetAddress.getByName("192.0.2.3")),
                    new BackendMember("web.test", web))));
    forwards.set(3, forwards.get(3).withMembers(List.of(new BackendMember("web.test", web))));

    assertThatThrownBy(() -> Compiler.compile(new ForwardTable("t.txt", forwards)))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "t.txt:2:22: error: snat=192.0.2.9 cannot take backend 192.0.2.2:80/tcp:"
                            + " line 1 translates it to snat=192.0.2.1 (a name resolved to it),"
                            + " and the kernel chooses the source translation by the backend's"
                            + " address and port alone",
                        "t.txt:3:45: error: snat=192.0.2.8 cannot take backend 192.0.2.2:80/tcp:"
                            + " line 1 translates it to snat=192.0.2.1 (a name resolved to it),"
                            + " and the kernel chooses the source translation by the backend's"
                            + " address and port alone",
                        "t.txt:3:45: error: snat=192.0.2.8 cannot take backend 192.0.2.2:80/tcp:"
                            + " line 2 translates it to snat=192.0.2.9 (a name resolved to it),"
                            + " and the kernel chooses the source translation by the backend's"
                            + " address and port alone",
                        "t.txt:4:22: error: snat=192.0.2.1 cannot take backend 192.0.2.2:80/tcp:"
                            + " line 2 translates it to snat=192.0.2.9 (a name resolved to it),"
                            + " and the kernel chooses the source translation by the backend's"
                            + " address and port alone",
                        "t.txt:4:22: error: snat=192.0.2.1 cannot take backend 192.0.2.2:80/tcp:"
                            + " line 3 translates it to snat=192.0.2.8 (a name resolved to it),"
                            + " and the kernel chooses the source translation by the backend's"
                            + " address and port alone"));
  }

  @Test
  void pointsAtTheTokenOfWhatNamesResolvedTo() throws Exception {
    ForwardTable written =
        TableParser.parse(
                "t.txt",
                "80   web.test,db.test 80 tcp balance=hash\n"
                    + "81    web.test 81 tcp snat=192.0.2.254\n")
            .table();
    Forward spread =
        written
            .forwards()
            .get(0)
            .withMembers(
                List.of(
                    new BackendMember("web.test", InetAddress.getByName("192.0.2.2")),
                    new BackendMember("db.test", InetAddress.getByName("2001:db8::2"))));
    Forward translated =
        written
            .forwards()
            .get(1)
            .withMembers(
                List.of(new BackendMember("web.test", InetAddress.getByName("2001:db8::3"))));

    assertThatThrownBy(
            () -> Compiler.compile(new ForwardTable("t.txt", List.of(spread, translated))))
        .isInstanceOfSatisfying(
            CompileException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "t.txt:1:6: error: the backends of one forward must share one IP version",
                        "t.txt:2:23: error: snat=192.0.2.254 is of another IP version than backend"
                            + " web.test port 81"));
  }

  @Test
  void dropsSourceBlocksInsideWiderOnes() throws CompileException {
    assertThat(
            compile("80 192.0.2.2 80 tcp from=203.0.113.10,203.0.113.0/24,198.51.100.1\n")
                .forwards()
                .get(0)
                .optionsText())
        .isEqualTo("from=198.51.100.1/32,203.0.113.0/24");
  }

  @Test
  void joinsAdjacentPiecesOfOneShiftedRangeButNotSamePortForwards() throws CompileException {
    assertThat(
            compile(
                    """
        8000-8004 192.0.2.2 9000-9004 tcp
        8005 192.0.2.2 9005 tcp
        13110 192.0.2.2 13110 tcp
        13111 192.0.2.2 13111 tcp
        """)
                .forwards())
        .extracting(CompiledForward::describe)
        .containsExactly(
            "8000-8005/tcp → 192.0.2.2:9000-9005",
            "13110/tcp → 192.0.2.2:13110",
            "13111/tcp → 192.0.2.2:13111");
  }
}
