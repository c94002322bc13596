package io.stevedore.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.testing.HtpasswdTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HtpasswdTest {
  // Written by htpasswd 2.4: -Bbn (bcrypt), -nbm (MD5), -nbs (SHA-1), -nbp (plain).
  private static final String ALICE =
      "alice:$2y$05$l4wtn/ynqtEzkdAfgMF2fenQfHgSLEen1Zj0pITFSiO0f6lhB8MAW";
  private static final String ERIN =
      "erin:$2y$04$Q006TcfAxdCBXhEwFaTqmO5cCn3nrqKZ5p6.kd5rhkN..qwXXdHtG";

  @Test
  void bcryptEntries_areRead_blankAndCommentLinesSkipped() {
    Htpasswd users =
        Htpasswd.parse(
            "# team\n"
                + ALICE
                + "\r\n\n  "
                + ERIN
                + "  \n"
                + HtpasswdTool.bcryptEntry("bob", "pw")
                + "\n",
            "f");

    assertThat(users.size()).isEqualTo(3);
    assertThat(users.hash("alice")).contains(ALICE.substring("alice:".length()));
    assertThat(users.hash("bob")).get().asString().startsWith("$2y$");
    assertThat(users.hash("carol")).isEmpty();
  }

  @Test
  void the2aAnd2bPrefixes_areBcryptToo() {
    String hash = ALICE.substring("alice:".length() + 4);

    Htpasswd users = Htpasswd.parse("a:$2a$" + hash + "\nb:$2b$" + hash, "f");

    assertThat(users.hash("a")).isPresent();
    assertThat(users.hash("b")).isPresent();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "carol:$apr1$BVsGB7hg$HZjtfWxks2trbN1OHuLeG0 | an MD5 hash (htpasswd -m)",
        "carol:{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=   | a SHA-1 hash (htpasswd -s)",
        "carol:hunter2                              | a crypt or plain-text password",
        "carol:$6$rounds=5000$abc$def               | a SHA-2 crypt hash",
        "carol:$2y$05$tooShort                      | a malformed bcrypt hash",
      })
  void otherHashKinds_areRefused_namingLineAndUser_neverTheHash(String entry, String kind) {
    String hash = entry.substring("carol:".length());

    assertThatThrownBy(() -> Htpasswd.parse(ALICE + "\n" + entry + "\n", "/etc/htpasswd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/etc/htpasswd line 2 (user carol)")
        .hasMessageContaining(kind)
        .hasMessageContaining("htpasswd -B")
        .message()
        .doesNotContain(hash);
  }

  @Test
  void aLineWithoutUser_andARepeatedUser_areRefused() {
    assertThatThrownBy(() -> Htpasswd.parse(ALICE + "\nnocolon\n", "f"))
        .hasMessage("f line 2: not a user:hash entry");
    assertThatThrownBy(() -> Htpasswd.parse(ALICE + "\n" + ALICE + "\n", "f"))
        .hasMessage("f line 2: user alice is already on line 1");
  }
}
