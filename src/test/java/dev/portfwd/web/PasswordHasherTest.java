package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  /** Cheap enough for a unit test; the real cost is {@link PasswordHasher#DEFAULT_COST}. */
  private static final PasswordHasher HASHER =
      new PasswordHasher(new PasswordHasher.Cost(64, 1, 1), new SecureRandom());

  @Test
  void acceptsTheRightPasswordOnly() {
    String hash = HASHER.hash("correct horse".toCharArray());
    assertThat(PasswordHasher.verify("correct horse".toCharArray(), hash)).isTrue();
    assertThat(PasswordHasher.verify("correct hors".toCharArray(), hash)).isFalse();
    assertThat(PasswordHasher.verify("".toCharArray(), hash)).isFalse();
  }

  @Test
  void writesArgon2idInPhcFormWithItsCostAndARandomSalt() {
    String a = HASHER.hash("pässwörd ünïcode".toCharArray());
    String b = HASHER.hash("pässwörd ünïcode".toCharArray());
    assertThat(a).startsWith("$argon2id$v=19$m=64,t=1,p=1$").isNotEqualTo(b);
    assertThat(PasswordHasher.verify("pässwörd ünïcode".toCharArray(), b)).isTrue();
  }

  @Test
  void verifiesAKnownReferenceHash() {
    // Debian's argon2 (the reference implementation): echo -n password | argon2 somesalt -id -t 2
    // -m 16 -p 4 -l 32 -e
    String reference =
        "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo";
    assertThat(PasswordHasher.verify("password".toCharArray(), reference)).isTrue();
    assertThat(PasswordHasher.verify("passwort".toCharArray(), reference)).isFalse();
  }

  @Test
  void refusesDamagedOrForeignHashes() {
    for (String damaged :
        new String[] {
          "",
          "password",
          "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
          "$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
          "$2y$10$abcdefghijklmnopqrstuu"
        }) {
      assertThat(PasswordHasher.verify("password".toCharArray(), damaged)).as(damaged).isFalse();
    }
  }
}
