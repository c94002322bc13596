package io.stevedore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.config.AccessRule;
import io.stevedore.oci.RepositoryName;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessRulesTest {
  private static final AccessRules RULES =
      new AccessRules(
          List.of(
              // alice: everything under team/ on every upstream, but not team/secret*.
              new AccessRule(
                  List.of("alice"), false, List.of(), List.of("team/**"), List.of("team/secret*")),
              // alice again, on hub only: library images; and a deny that wins over rule one.
              new AccessRule(
                  List.of("alice"),
                  false,
                  List.of("hub"),
                  List.of("library/*"),
                  List.of("team/frozen")),
              // every user: library images on hub.
              new AccessRule(List.of("*"), false, List.of("hub"), List.of("library/*"), List.of()),
              // bob: all of lab (no allow list), nothing elsewhere.
              new AccessRule(List.of("bob"), false, List.of("lab"), List.of(), List.of()),
              // anonymous: public/* on lab.
              new AccessRule(List.of(), true, List.of("lab"), List.of("public/*"), List.of())));

  @ParameterizedTest(name = "{0} {1}/{2} -> {3}")
  @CsvSource({
    // client,  upstream, repository,          permitted
    "alice,     lab,      team/app,            true",
    "alice,     hub,      team/a/b/c,          true",
    "alice,     lab,      team/secret-db,      false",
    "alice,     lab,      teams/app,           false",
    "alice,     hub,      library/alpine,      true",
    "alice,     lab,      library/alpine,      false",
    "alice,     hub,      team/frozen,         false",
    "alice,     lab,      team/frozen,         true",
    "carol,     hub,      library/alpine,      true",
    "carol,     hub,      library/a/b,         false",
    "carol,     lab,      team/app,            false",
    "bob,       lab,      anything/at/all,     true",
    "bob,       hub,      team/app,            false",
    "bob,       hub,      library/alpine,      true",
    "'',        lab,      public/app,          true",
    "'',        lab,      public/a/b,          false",
    "'',        hub,      public/app,          false",
    "'',        lab,      team/app,            false",
  })
  void rules_decide(String user, String upstream, String repository, boolean permitted) {
    assertThat(RULES.permits(new Client(user), upstream, RepositoryName.parse(repository)))
        .isEqualTo(permitted);
  }

  @ParameterizedTest
  @CsvSource({"alice, true", "'', false"})
  void withoutRules_everyUserMayPullEverything_anonymousNothing(String user, boolean permitted) {
    AccessRules none = new AccessRules(List.of());

    assertThat(none.permits(new Client(user), "lab", RepositoryName.parse("any/thing")))
        .isEqualTo(permitted);
    assertThat(none.anonymousAllowed()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void anonymousAllowed_whenARuleIsForAnonymous() {
    assertThat(RULES.anonymousAllowed()).isTrue();
  }
}
