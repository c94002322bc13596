package io.stevedore;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way, as the README's Architecture section draws them:
 *
 * <pre>
 * Main -> cli -> app -> http -> {ops, observe} -> cache -> {store, upstream} -> oci
 *                        \-> auth -> route -----------------^   archive -> oci
 * </pre>
 *
 * with config a leaf beside oci, and each technology in the one package that wraps it.
 */
class LayeringTest {
  private static final String ROOT = "io.stevedore";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  private static String pkg(String name) {
    return ROOT + "." + name + "..";
  }

  @Test
  void leaves_importOnlyTheJdk() {
    for (String leaf : new String[] {"oci", "config"}) {
      noClasses()
          .that()
          .resideInAPackage(pkg(leaf))
          .and()
          .resideOutsideOfPackage(pkg("config.yaml"))
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages("java..", pkg(leaf))
          .check(classes);
    }
  }

  @Test
  void archive_importsOnlyTheJdkAndOci() {
    // The archive format stays a leaf beside oci, so export and import can wrap it either way.
    noClasses()
        .that()
        .resideInAPackage(pkg("archive"))
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", pkg("oci"), pkg("archive"))
        .check(classes);
  }

  @Test
  void theRootPackage_holdsMainAlone_whichOnlyStartsTheCommandLine() {
    classes().that().resideInAPackage(ROOT).should().haveSimpleName("Main").check(classes);
    noClasses()
        .that()
        .resideInAPackage(ROOT)
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", ROOT, pkg("cli"))
        .check(classes);
  }

  @Test
  void helidon_onlyInHttp_andItsConfigOnlyInTheConfigLoader() {
    noClasses()
        .that()
        .resideOutsideOfPackages(pkg("http"), pkg("config.yaml"))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.helidon..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(pkg("config.yaml"))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.helidon.webserver..")
        .check(classes);
  }

  @Test
  void okHttp_onlyInUpstream() {
    noClasses()
        .that()
        .resideOutsideOfPackage(pkg("upstream"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("okhttp3..", "okio..", "kotlin..")
        .check(classes);
  }

  @Test
  void prometheusClient_onlyInObserve() {
    noClasses()
        .that()
        .resideOutsideOfPackage(pkg("observe"))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.prometheus..")
        .check(classes);
  }

  @Test
  void observe_hearsTheCacheAndUpstreams_withoutReachingUp_orIntoTheStore() {
    noClasses()
        .that()
        .resideInAPackage(pkg("observe"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("observe"))
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(pkg("store"), pkg("ops"))
        .check(classes);
  }

  @Test
  void rocksDb_onlyInTheStoreImplementation() {
    noClasses()
        .that()
        .resideOutsideOfPackage(pkg("store.rocks"))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.rocksdb..")
        .check(classes);
  }

  @Test
  void auth_knowsRulesAndCredentials_notHttpNorTheCache() {
    // Client authentication decides on names (users, upstreams, repositories), so the http layer
    // can ask it before any cache or upstream call.
    noClasses()
        .that()
        .resideInAPackage(pkg("auth"))
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "java..",
            "javax.crypto..",
            "at.favre.lib.crypto.bcrypt..",
            pkg("auth"),
            pkg("config"),
            pkg("oci"),
            pkg("route"))
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackage(pkg("auth"))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("at.favre..")
        .check(classes);
  }

  @Test
  void storeAndUpstream_reachNothingAboveThem_norEachOther() {
    noClasses()
        .that()
        .resideInAPackage(pkg("store"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("store"))
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(pkg("upstream"))
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(pkg("upstream"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("upstream"))
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(pkg("store"))
        .check(classes);
  }

  @Test
  void route_knowsUpstreamsOnly() {
    noClasses()
        .that()
        .resideInAPackage(pkg("route"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("route"))
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(pkg("store"))
        .check(classes);
  }

  @Test
  void cache_isTheRequestPathAlone_onTheStoreInterfaces() {
    noClasses()
        .that()
        .resideInAPackage(pkg("cache"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("cache"))
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(pkg("route"), pkg("store.rocks"), pkg("archive"))
        .check(classes);
  }

  @Test
  void ops_worksThroughTheCache_neverOnTheStore() {
    noClasses()
        .that()
        .resideInAPackage(pkg("ops"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("ops"))
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage(pkg("store"))
        .check(classes);
  }

  @Test
  void http_servesTheCacheAndOps_withoutStoresOrUpstreamClients() {
    noClasses()
        .that()
        .resideInAPackage(pkg("http"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("http"))
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(pkg("store"), ROOT + ".upstream.OkHttp..")
        .check(classes);
  }

  @Test
  void app_wires_andOnlyTheCommandLineUsesIt() {
    noClasses()
        .that()
        .resideInAPackage(pkg("app"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(above("app"))
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(pkg("cli"))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            pkg("store.rocks"),
            pkg("upstream"),
            pkg("http"),
            pkg("cache"),
            pkg("route"),
            pkg("auth"))
        .check(classes);
  }

  /** The packages above {@code layer}, which it must not import. */
  private static String[] above(String layer) {
    String[] order = {
      "store", "upstream", "route", "auth", "cache", "ops", "observe", "http", "app", "cli"
    };
    int at = java.util.Arrays.asList(order).indexOf(layer);
    String[] result = new String[order.length - at - 1];
    for (int i = at + 1; i < order.length; i++) {
      result[i - at - 1] = pkg(order[i]);
    }
    return result;
  }
}
