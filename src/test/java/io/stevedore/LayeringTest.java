package io.stevedore;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: http -> route -> cache -> {store, upstream} -> oci, with config a
 * leaf beside oci; each technology stays in the one package that wraps it.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.stevedore");
  }

  @Test
  void oci_importsOnlyTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.oci..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "io.stevedore.oci..")
        .check(classes);
  }

  @Test
  void config_importsOnlyTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.config..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "io.stevedore.config..")
        .check(classes);
  }

  @Test
  void archive_importsOnlyTheJdkAndOci() {
    // The archive format stays a leaf beside oci, so export and import can wrap it either way.
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.archive..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "io.stevedore.oci..", "io.stevedore.archive..")
        .check(classes);
  }

  @Test
  void helidon_onlyInHttpAndTheMainPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.stevedore.http..")
        .and()
        .resideOutsideOfPackage("io.stevedore")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.helidon..")
        .check(classes);
  }

  @Test
  void okHttp_onlyInUpstream() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.stevedore.upstream..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("okhttp3..", "okio..", "kotlin..")
        .check(classes);
  }

  @Test
  void rocksDb_onlyInTheStoreImplementation() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.stevedore.store.rocks..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.rocksdb..")
        .check(classes);
  }

  @Test
  void lowerLayers_doNotReachUp() {
    noClasses()
        .that()
        .resideInAnyPackage("io.stevedore.store..", "io.stevedore.upstream..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.stevedore.cache..", "io.stevedore.route..", "io.stevedore.http..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.stevedore.route..", "io.stevedore.http..", "io.stevedore.store.rocks..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.route..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.stevedore.http..")
        .check(classes);
    noClasses()
        .that()
        .resideInAnyPackage("io.stevedore.store..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.stevedore.upstream..")
        .check(classes);
  }

  @Test
  void bundle_isUsedOnlyByTheTop() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.stevedore.cache..",
            "io.stevedore.route..",
            "io.stevedore.store..",
            "io.stevedore.upstream..",
            "io.stevedore.oci..",
            "io.stevedore.archive..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.stevedore.bundle..")
        .check(classes);
  }

  @Test
  void http_doesNotTouchStoresOrUpstreamClientsDirectly() {
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.stevedore.store..", "io.stevedore.upstream.OkHttp..")
        .check(classes);
  }
}
