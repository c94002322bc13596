package io.stevedore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.testing.HtpasswdTool;
import io.stevedore.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordsTest {
  // Passwords with what Basic auth, YAML and shells treat specially, and beyond ASCII.
  private static final String ALICE_PASSWORD = "s3cret:with colon ä#\"'";
  private static final String LONG_72 = "x".repeat(72);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final AtomicInteger bcrypts = new AtomicInteger();

  private Passwords passwords(String... entries) throws IOException {
    Path file = dir.resolve("htpasswd");
    Files.writeString(file, String.join("\n", entries) + "\n");
    return new Passwords(
        new HtpasswdFile(file, clock),
        clock,
        (password, hash) -> {
          bcrypts.incrementAndGet();
          return Passwords.bcrypt(password, hash);
        });
  }

  @Test
  void htpasswdBcryptEntries_acceptTheirPassword_only() throws IOException {
    Passwords passwords =
        passwords(
            HtpasswdTool.bcryptEntry("alice", ALICE_PASSWORD),
            HtpasswdTool.bcryptEntry("bob", "bob-pw"));

    assertThat(passwords.matches("alice", ALICE_PASSWORD)).isTrue();
    assertThat(passwords.matches("bob", "bob-pw")).isTrue();
    assertThat(passwords.matches("alice", "bob-pw")).isFalse();
    assertThat(passwords.matches("alice", ALICE_PASSWORD + " ")).isFalse();
    assertThat(passwords.matches("alice", "")).isFalse();
    assertThat(passwords.matches("carol", "bob-pw")).isFalse();
  }

  @Test
  void the2aAnd2bPrefixesOfTheSameHash_verifyTheSame() throws IOException {
    String hash = HtpasswdTool.bcryptEntry("u", "pw").substring("u:$2y$".length());
    Passwords passwords = passwords("a:$2a$" + hash, "b:$2b$" + hash, "y:$2y$" + hash);

    for (String user : new String[] {"a", "b", "y"}) {
      assertThat(passwords.matches(user, "pw")).as(user).isTrue();
      assertThat(passwords.matches(user, "PW")).as(user).isFalse();
    }
  }

  @Test
  void passwordsPast72Bytes_areCutThere_asHtpasswdDoes() throws IOException {
    Passwords passwords = passwords(HtpasswdTool.bcryptEntry("long", LONG_72 + "tail"));

    assertThat(passwords.matches("long", LONG_72 + "tail")).isTrue();
    assertThat(passwords.matches("long", LONG_72 + "other")).isTrue();
    assertThat(passwords.matches("long", LONG_72.substring(1))).isFalse();
  }

  @Test
  void aSuccess_isRemembered_forAWhile_failuresNever() throws IOException {
    Passwords passwords = passwords(HtpasswdTool.bcryptEntry("alice", "pw"));

    for (int i = 0; i < 20; i++) {
      assertThat(passwords.matches("alice", "pw")).isTrue();
    }
    assertThat(bcrypts).hasValue(1);
    passwords.matches("alice", "wrong");
    passwords.matches("alice", "wrong");
    assertThat(bcrypts).hasValue(3);

    clock.advance(Passwords.REMEMBER);
    assertThat(passwords.matches("alice", "pw")).isTrue();
    assertThat(bcrypts).hasValue(4);
  }

  @Test
  void unknownUsers_costABcryptToo_soTimingDoesNotTellWhoExists() throws IOException {
    Passwords passwords = passwords(HtpasswdTool.bcryptEntry("alice", "pw"));

    assertThat(passwords.matches("mallory", "pw")).isFalse();
    assertThat(bcrypts).hasValue(1);
  }

  @Test
  void aChangedFile_takesEffect_evenForRememberedPasswords() throws IOException {
    Passwords passwords = passwords(HtpasswdTool.bcryptEntry("alice", "old"));
    assertThat(passwords.matches("alice", "old")).isTrue();

    rewrite(HtpasswdTool.bcryptEntry("alice", "new"), HtpasswdTool.bcryptEntry("bob", "pw"));
    assertThat(passwords.matches("alice", "old")).as("before the recheck").isTrue();
    clock.advance(HtpasswdFile.RECHECK);

    assertThat(passwords.matches("alice", "old")).isFalse();
    assertThat(passwords.matches("alice", "new")).isTrue();
    assertThat(passwords.matches("bob", "pw")).isTrue();
  }

  @Test
  void aChangedFileThatCannotBeUsed_keepsTheUsersReadBefore() throws IOException {
    Passwords passwords = passwords(HtpasswdTool.bcryptEntry("alice", "pw"));

    rewrite("alice:$apr1$BVsGB7hg$HZjtfWxks2trbN1OHuLeG0");
    clock.advance(HtpasswdFile.RECHECK);

    assertThat(passwords.matches("alice", "pw")).isTrue();
  }

  private void rewrite(String... entries) throws IOException {
    Path file = dir.resolve("htpasswd");
    FileTime before = Files.getLastModifiedTime(file);
    Files.writeString(file, String.join("\n", entries) + "\n");
    // File systems with coarse timestamps: make sure the change is visible as one.
    Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plus(Duration.ofSeconds(1))));
  }
}
