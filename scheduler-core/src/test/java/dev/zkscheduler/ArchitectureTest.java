package dev.zkscheduler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the package boundaries of DESIGN.md §2 and §6 honest. */
class ArchitectureTest {

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
            "dev.zkscheduler.engine..")
        .check(core);
  }

  @Test
  void zooKeeperAppearsOnlyInClusterAndStore() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.zkscheduler.cluster..", "dev.zkscheduler.store..", "dev.zkscheduler.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.zookeeper..", "org.apache.curator..")
        .check(core);
  }

  @Test
  void onlyTheFencedTransactionUsesCuratorTransactions() {
    noClasses()
        .that()
        .doNotHaveSimpleName("FencedTransaction")
        .and()
        .resideOutsideOfPackage("dev.zkscheduler.cluster..")
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
