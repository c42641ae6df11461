package dev.zkscheduler;

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

/** Keeps the package map of docs/architecture.md honest: who may depend on whom. */
class ArchitectureTest {

  /** The only packages that may use Curator or ZooKeeper. */
  private static final String[] ZOOKEEPER_BACKEND = {
    "dev.zkscheduler.zk..",
    "dev.zkscheduler.store.zk..",
    "dev.zkscheduler.cluster.zk..",
    "dev.zkscheduler.backend.zk.."
  };

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.zkscheduler");
  }

  @Test
  void coreDependsOnNoWebFramework() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.dropwizard.core..",
            "io.dropwizard.jersey..",
            "jakarta.ws..",
            "jakarta.servlet..",
            "org.glassfish..",
            "org.eclipse.jetty..")
        .check(core);
  }

  @Test
  void pureModelKnowsNothingOfZooKeeper() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.zkscheduler.schedule..", "dev.zkscheduler.job..", "dev.zkscheduler.dag..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.zookeeper..",
            "org.apache.curator..",
            "dev.zkscheduler.cluster..",
            "dev.zkscheduler.store..",
            "dev.zkscheduler.engine..",
            "dev.zkscheduler.backend..",
            "dev.zkscheduler.zk..",
            "dev.zkscheduler.health..")
        .check(core);
  }

  @Test
  void zooKeeperAppearsOnlyInTheZooKeeperBackend() {
    noClasses()
        .that()
        .resideOutsideOfPackages(ZOOKEEPER_BACKEND)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.zookeeper..", "org.apache.curator..")
        .check(core);
  }

  @Test
  void theEngineSeesItsBackendOnlyThroughContracts() {
    noClasses()
        .that()
        .resideInAPackage("dev.zkscheduler.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.zkscheduler.backend..",
            "dev.zkscheduler.zk..",
            "dev.zkscheduler.store.zk..",
            "dev.zkscheduler.store.memory..",
            "dev.zkscheduler.cluster.zk..",
            "dev.zkscheduler.health..")
        .check(core);
  }

  @Test
  void contractsDependOnNoImplementation() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.zkscheduler.store", "dev.zkscheduler.cluster")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.zkscheduler.store.zk..",
            "dev.zkscheduler.store.memory..",
            "dev.zkscheduler.cluster.zk..",
            "dev.zkscheduler.zk..",
            "dev.zkscheduler.backend..",
            "dev.zkscheduler.engine..")
        .check(core);
  }

  @Test
  void theErrorPackageIsALeaf() {
    noClasses()
        .that()
        .resideInAPackage("dev.zkscheduler.error")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.zkscheduler.error", "java..")
        .check(core);
  }

  @Test
  void packagesAreFreeOfCycles() {
    // Every package is its own slice, the root package included.
    slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return javaClass.getPackageName().startsWith("dev.zkscheduler")
                    ? SliceIdentifier.of(javaClass.getPackageName())
                    : SliceIdentifier.ignore();
              }

              @Override
              public String getDescription() {
                return "every package of dev.zkscheduler";
              }
            })
        .should()
        .beFreeOfCycles()
        .check(core);
  }

  @Test
  void onlyTheFencedTransactionUsesCuratorTransactions() {
    noClasses()
        .that()
        .doNotHaveSimpleName("FencedTransaction")
        .and()
        .resideOutsideOfPackage("dev.zkscheduler.cluster.zk..")
        .should()
        .callMethodWhere(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "Curator transaction()",
                call ->
                    call.getTarget().getName().equals("transaction")
                        && call.getTargetOwner().getName().startsWith("org.apache.curator")))
        .check(core);
  }

  @Test
  void schedulingCodeReadsNoHiddenClockOrZone() {
    noClasses()
        .should()
        .callMethod(java.time.ZoneId.class, "systemDefault")
        .orShould()
        .callMethod(java.util.TimeZone.class, "getDefault")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(java.time.LocalDateTime.class, "now")
        .orShould()
        .callMethod(java.time.ZonedDateTime.class, "now")
        .check(core);
  }
}
