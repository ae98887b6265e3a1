package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What portfwd relies on from an {@link NftKernel}, as cases that run unchanged against {@link
 * FakeNftKernel} ({@code FakeNftKernelContractTest}) and against the real {@code nft} in a network
 * namespace ({@code NftCommandKernelContractIT}, in CI), so the fake cannot drift from the kernel.
 * Each case starts from a kernel without portfwd's table.
 */
abstract class NftKernelContract {

  static final String TABLE = "add table inet portfwd\n";
  static final String MAP4 =
      "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service;"
          + " counter; }\n";
  static final String MAP6 =
      "add map inet portfwd dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service;"
          + " counter; }\n";

  /** A kernel of the kind under test, without portfwd's table. */
  abstract NftKernel kernel();

  NftKernel kernel;

  @BeforeEach
  void freshKernel() throws Exception {
    kernel = kernel();
    assertThat(kernel.tableExists()).isFalse();
  }

  private String listing() throws Exception {
    return kernel.listTable(false).orElseThrow();
  }

  @Test
  void aTransactionAppliesWholeAndIsListedBack() throws Exception {
    kernel.run(TABLE + MAP4 + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    assertThat(kernel.tableExists()).isTrue();
    assertThat(listing()).contains("13102").contains("192.0.2.2");
  }

  @Test
  void aFailedTransactionChangesNothing() throws Exception {
    kernel.run(TABLE + MAP4);
    String before = listing();
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n"
                        + "add element inet portfwd nosuchmap { tcp . 13103 : 192.0.2.2 . 80 }\n"))
        .isInstanceOf(NftCommandException.class);
    assertThat(listing()).isEqualTo(before).doesNotContain("13102");
  }

  @Test
  void listsIpv6AddressesInTheirShortForm() throws Exception {
    kernel.run(
        TABLE
            + MAP6
            + "add element inet portfwd dnat6 { tcp . 443 : 2001:db8:0:0:0:0:0:5 . 8443 }\n");
    assertThat(listing()).contains("\"2001:db8::5\"").doesNotContain("2001:db8:0:0");
  }

  @Test
  void takesACommentOf128BytesAndRefusesALongerOne() throws Exception {
    kernel.run(TABLE + MAP4);
    String longest = "x".repeat(128);
    kernel.run(
        "add element inet portfwd dnat4 { tcp . 1 counter comment \""
            + longest
            + "\" : 192.0.2.2 . 80 }\n");
    assertThat(listing()).contains(longest);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add element inet portfwd dnat4 { tcp . 2 counter comment \""
                        + longest
                        + "x\" : 192.0.2.2 . 80 }\n"))
        .isInstanceOf(NftCommandException.class);
    assertThat(listing()).doesNotContain(longest + "x");
  }

  @Test
  void addingTheSameMapAgainIsAccepted() throws Exception {
    kernel.run(TABLE + MAP4);
    kernel.run(TABLE + MAP4);
    assertThat(kernel.tableExists()).isTrue();
  }

  @Test
  void refusesAMapRedeclaredWithAnotherTypeOrFlags() throws Exception {
    kernel.run(TABLE + MAP4);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr;"
                        + " counter; }\n"))
        .as("another value type")
        .isInstanceOf(NftCommandException.class);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr ."
                        + " inet_service; flags interval; counter; }\n"))
        .as("other flags")
        .isInstanceOf(NftCommandException.class);
  }

  @Test
  void deletingTheTableRemovesEverything() throws Exception {
    kernel.run(TABLE + MAP4 + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    kernel.run("delete table inet portfwd\n");
    assertThat(kernel.tableExists()).isFalse();
    assertThat(kernel.listTable(false)).isEmpty();
    assertThatThrownBy(() -> kernel.run("delete table inet portfwd\n"))
        .as("a table that is gone")
        .isInstanceOf(NftCommandException.class);
  }
}
