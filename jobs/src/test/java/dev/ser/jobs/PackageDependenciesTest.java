package dev.ser.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shape of the jobs module, read from its compiled classes: each job ({@code score}, {@code
 * evaluate}, {@code prepare}, {@code bench}, {@code demo}) is a peer over the shared layers and
 * never reaches into another job's package; shared layers never depend on a job; only {@link Ser},
 * the command line, knows every job; and no two packages depend on each other in a cycle.
 */
class PackageDependenciesTest {
    private static final List<String> JOBS =
            List.of("score", "evaluate", "prepare", "bench", "demo");
    private static final JavaClasses CLASSES =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.ser");

    @Test
    void noJobPackageImportsAnotherJobsPackage() {
        for (String job : JOBS) {
            String[] others =
                    JOBS.stream()
                            .filter(j -> !j.equals(job))
                            .map(j -> "dev.ser.jobs." + j + "..")
                            .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage("dev.ser.jobs." + job + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .check(CLASSES);
        }
    }

    @Test
    void sharedLayersDependOnNoJobAndNotOnTheCommandLine() {
        String[] jobs = JOBS.stream().map(j -> "dev.ser.jobs." + j + "..").toArray(String[]::new);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.ser.jobs.config..",
                        "dev.ser.jobs.spark..",
                        "dev.ser.jobs.input..",
                        "dev.ser.jobs.scoring..",
                        "dev.ser.jobs.evaluation..",
                        "dev.ser.jobs.corpus..",
                        "dev.ser.pipeline..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(jobs)
                .check(CLASSES);
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.ser.jobs")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.ser.jobs")
                .check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.ser.(*)..").should().beFreeOfCycles().check(CLASSES);
        slices().matching("dev.ser.jobs.(*)..").should().beFreeOfCycles().check(CLASSES);
        slices().matching("dev.ser.pipeline.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
