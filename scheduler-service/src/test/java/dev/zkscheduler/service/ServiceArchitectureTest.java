package dev.zkscheduler.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the service's package map of docs/architecture.md honest. */
class ServiceArchitectureTest {

  private static JavaClasses service;

  @BeforeAll
  static void importService() {
    service =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.zkscheduler.service");
  }

  /** The REST API and what is stored in ZooKeeper change independently. */
  @Test
  void theRestLayerImportsNoStoreClass() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.zkscheduler.service.api..",
            "dev.zkscheduler.service.resources..",
            "dev.zkscheduler.service.errors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.zkscheduler.store..")
        .check(service);
  }

  /** The service uses the core through its facade, never the engine's or a backend's insides. */
  @Test
  void theServiceUsesTheCoreThroughItsFacade() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.zkscheduler.store.zk..",
            "dev.zkscheduler.store.memory..",
            "dev.zkscheduler.store.codec..",
            "dev.zkscheduler.cluster.zk..",
            "dev.zkscheduler.backend..")
        .check(service);
  }

  @Test
  void servicePackagesAreFreeOfCycles() {
    // Every package is its own slice, the service's root package included.
    slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return javaClass.getPackageName().startsWith("dev.zkscheduler.service")
                    ? SliceIdentifier.of(javaClass.getPackageName())
                    : SliceIdentifier.ignore();
              }

              @Override
              public String getDescription() {
                return "every package of dev.zkscheduler.service";
              }
            })
        .should()
        .beFreeOfCycles()
        .check(service);
  }
}
