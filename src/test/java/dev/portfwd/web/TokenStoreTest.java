package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {

  @TempDir Path dir;

  private TokenStore store() {
    return new TokenStore(
        dir.resolve("tokens"), new SessionsTest.MovableClock(), new SecureRandom());
  }

  @Test
  void aCreatedTokenMatchesUntilRevoked() throws Exception {
    TokenStore store = store();
    String token = store.create("backup script");
    assertThat(token).matches("pfw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}");
    TokenStore.Token found = store.match(token).orElseThrow();
    assertThat(found.name()).isEqualTo("backup script");
    assertThat(store.list()).extracting(TokenStore.Token::id).containsExactly(found.id());
    assertThat(store.revoke(found.id())).isTrue();
    assertThat(store.match(token)).isEmpty();
    assertThat(store.revoke(found.id())).isFalse();
  }

  @Test
  void storesOnlyTheHashReadableByTheOwnerOnly() throws Exception {
    TokenStore store = store();
    String token = store.create("ci");
    // pfw_ID_SECRET, and the secret's own alphabet has '_' too.
    String secret = token.split("_", 3)[2];
    assertThat(secret).hasSize(43);
    Path file = dir.resolve("tokens");
    assertThat(Files.readString(file)).doesNotContain(secret);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void refusesWrongAndAlteredTokens() throws Exception {
    TokenStore store = store();
    String token = store.create("ci");
    String other = store.create("other");
    String altered = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
    assertThat(store.match(altered)).isEmpty();
    assertThat(store.match("")).isEmpty();
    assertThat(store.match("pfw_" + other.substring(4, 12) + token.substring(12))).isEmpty();
    assertThat(store.match(other)).isPresent();
  }

  @Test
  void refusesNamesThatCouldForgeLinesOrTerminals() {
    TokenStore store = store();
    for (String name : new String[] {"", "a\tb", "a\nb", " leading", "x".repeat(65), "\u001b[2J"}) {
      assertThatThrownBy(() -> store.create(name)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void quotesAtMostFortyCharactersOfARefusedName() {
    TokenStore store = store();

    assertThatThrownBy(() -> store.create("x".repeat(100_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("not '" + "x".repeat(TokenStore.QUOTED_NAME_CHARS) + "…'")
        .message()
        .hasSizeLessThan(200);
  }

  @Test
  void aDamagedLineOfTheFileIsSkippedAndTheOthersStillMatch() throws Exception {
    TokenStore store = store();
    String token = store.create("ci");
    String id = token.substring(4, 12);
    Path file = dir.resolve("tokens");
    // Edited by hand: the same id with a hash that is not hex comes first.
    Files.writeString(
        file, id + "\t2026-01-01T00:00:00Z\tnot-hex\tbroken\n" + Files.readString(file));
    assertThat(store.match(token)).isPresent();
    assertThat(store.list()).extracting(TokenStore.Token::name).containsExactly("ci");
  }
}
