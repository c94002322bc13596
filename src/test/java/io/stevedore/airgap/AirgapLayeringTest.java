package io.stevedore.airgap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The archive format stays a leaf beside oci, so export and import can wrap it either way. */
class AirgapLayeringTest {
  @Test
  void airgap_importsOnlyTheJdkAndOci() {
    noClasses()
        .that()
        .resideInAPackage("io.stevedore.airgap..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "io.stevedore.oci..", "io.stevedore.airgap..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.stevedore.airgap"));
  }
}
