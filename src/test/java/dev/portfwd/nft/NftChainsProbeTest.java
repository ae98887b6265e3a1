package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.BackendException;
import org.junit.jupiter.api.Test;

class NftChainsProbeTest {

  private static final String LISTING =
      "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}},"
          + " {\"chain\": {\"family\": \"inet\", \"table\": \"portfwd\", \"name\": \"prerouting\", \"handle\": 3,"
          + " \"type\": \"nat\", \"hook\": \"prerouting\", \"prio\": -100, \"policy\": \"accept\"}},"
          + " {\"chain\": {\"family\": \"ip\", \"table\": \"portfwd\", \"name\": \"other\", \"handle\": 1}},"
          + " {\"chain\": {\"family\": \"inet\", \"table\": \"filter\", \"name\": \"input\", \"handle\": 1}},"
          + " {\"chain\": {\"family\": \"inet\", \"table\": \"portfwd\", \"name\": \"forward\", \"handle\": 9}}]}";

  @Test
  void fingerprintsOnlyPortfwdsChainsWithTheirHandles() throws BackendException {
    assertThat(NftChainsProbe.fingerprint(LISTING)).isEqualTo("forward#9 prerouting#3");
  }

  @Test
  void recreatedChainsGetAnotherFingerprint() throws BackendException {
    assertThat(NftChainsProbe.fingerprint(LISTING.replace("\"handle\": 9", "\"handle\": 12")))
        .isNotEqualTo(NftChainsProbe.fingerprint(LISTING));
  }

  @Test
  void flushedRulesetHasAnEmptyFingerprint() throws BackendException {
    assertThat(
            NftChainsProbe.fingerprint(
                "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}]}"))
        .isEmpty();
  }

  @Test
  void garbageIsAnError() {
    assertThatThrownBy(() -> NftChainsProbe.fingerprint("Error: "))
        .isInstanceOf(BackendException.class);
  }
}
