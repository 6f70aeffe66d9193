package io.github.cspipeline.model;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules every module's {@code ArchitectureTest} checks on its main classes, kept here so that
 * the module graph is written down once. A module's test imports only its own root package, without
 * tests, and checks them all:
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "io.github.cspipeline.poller", importOptions = DoNotIncludeTests.class)
 * class ArchitectureTest {
 *   @ArchTest static final ArchTests rules = ArchTests.in(ArchitectureRules.class);
 * }
 * }</pre>
 */
public final class ArchitectureRules {

  /** The project's modules with main code, and the project modules each may depend on. */
  public enum Module {
    COMMON_MODEL("io.github.cspipeline.model"),
    KAFKA_SUPPORT("io.github.cspipeline.kafka"),
    CRYPTSHARE_CLIENT("io.github.cspipeline.cryptshare", COMMON_MODEL),
    CRYPTSHARE_SIMULATOR("io.github.cspipeline.simulator"),
    API_GATEWAY("io.github.cspipeline.gateway", COMMON_MODEL),
    TRANSFER_WORKER("io.github.cspipeline.worker", COMMON_MODEL, KAFKA_SUPPORT, CRYPTSHARE_CLIENT),
    STATUS_POLLER("io.github.cspipeline.poller", COMMON_MODEL, KAFKA_SUPPORT, CRYPTSHARE_CLIENT),
    DEAD_LETTER_TOOL("io.github.cspipeline.deadletters", COMMON_MODEL),
    CRYPTSHARE_TESTKIT("io.github.cspipeline.testkit"),
    CHAOS("io.github.cspipeline.chaos", COMMON_MODEL, CRYPTSHARE_TESTKIT);

    private final String rootPackage;
    private final Set<Module> allowed;

    Module(String rootPackage, Module... allowed) {
      this.rootPackage = rootPackage;
      this.allowed = Set.of(allowed);
    }

    /** The package all of the module's classes live in or under. */
    public String rootPackage() {
      return rootPackage;
    }
  }

  /** Where every project module's packages live; a dependency into it is on a project module. */
  private static final String PROJECT = "io.github.cspipeline..";

  /** The project's test kit (module cryptshare-testkit). */
  private static final String TEST_KIT = "io.github.cspipeline.testkit..";

  /**
   * Packages of test frameworks. Main code that reaches one of them would ship test code, or fail
   * at runtime where it is absent.
   */
  private static final String[] TEST_PACKAGES = {
    "org.junit..",
    "org.assertj..",
    "org.mockito..",
    "org.awaitility..",
    "org.springframework.test..",
    "org.springframework.boot.test..",
    "org.springframework.kafka.test..",
    "org.testcontainers..",
    "com.tngtech.archunit.."
  };

  /**
   * No cycle between a module's top-level packages (its features and its config): {@code
   * io.github.cspipeline.<module>.(*)..}, for whichever module is imported.
   */
  @ArchTest
  public static final ArchRule packages_are_free_of_cycles =
      slices()
          .matching("io.github.cspipeline.(*).(*)..")
          .namingSlices("$1.$2")
          .should()
          .beFreeOfCycles()
          // a module with one package (dead-letter-tool, chaos) has no slices, hence no cycle
          .allowEmptyShould(true);

  /**
   * Each module depends on no project module but itself and those {@link Module} allows: the
   * contract (common-model) and the Kafka helpers (kafka-support) on none, the client only on the
   * contract, no app on another. A class outside every known module fails, so that a new module
   * gets its line in {@link Module}.
   */
  @ArchTest
  public static final ArchRule modules_depend_only_on_the_modules_they_may_use =
      CompositeArchRule.of(
          Stream.concat(
                  Stream.of(
                      classes()
                          .should()
                          .resideInAnyPackage(
                              Stream.of(Module.values())
                                  .map(m -> m.rootPackage + "..")
                                  .toArray(String[]::new))
                          .because("ArchitectureRules.Module lists every module with main code")),
                  Stream.of(Module.values()).map(ArchitectureRules::dependsOnlyOnAllowed))
              .toList());

  /**
   * Modules whose main code is itself a test tool, never deployed: the chaos drivers, which drive
   * the simulator with the test kit's control client rather than a copy of it.
   */
  private static final String[] TEST_TOOLS = {"io.github.cspipeline.chaos.."};

  /** Main code depends on no test framework and no class of a test-jar. */
  @ArchTest
  public static final ArchRule main_code_uses_no_test_code =
      noClasses()
          .should()
          .dependOnClassesThat(
              resideInAnyPackage(TEST_PACKAGES)
                  .or(compiledAsTestCode())
                  .as("are test code (a test framework or a test-jar class)"));

  /** Only a test tool ({@link #TEST_TOOLS}) may use the test kit in its main code. */
  @ArchTest
  public static final ArchRule only_test_tools_use_the_test_kit =
      noClasses()
          .that()
          .resideOutsideOfPackages(TEST_TOOLS)
          .should()
          .dependOnClassesThat(resideInAPackage(TEST_KIT).as("are the test kit"))
          // in a test tool's own ArchitectureTest no class is outside TEST_TOOLS
          .allowEmptyShould(true);

  private ArchitectureRules() {}

  private static ArchRule dependsOnlyOnAllowed(Module module) {
    var names = module.allowed.stream().map(Enum::name).sorted().toList();
    return dependsOnlyOn(
        module.name(),
        module.rootPackage + "..",
        Stream.concat(Stream.of(module), module.allowed.stream())
            .map(m -> m.rootPackage + "..")
            .toList(),
        names.isEmpty() ? "no other project module" : String.join(", ", names));
  }

  /**
   * Classes in {@code packages} depend on no project class outside {@code permitted} (package
   * patterns); nothing to check when none was imported.
   */
  static ArchRule dependsOnlyOn(
      String name, String packages, List<String> permitted, String permittedNames) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .dependOnClassesThat(
            resideInAPackage(PROJECT)
                .and(not(resideInAnyPackage(permitted.toArray(String[]::new))))
                .as("are in a project module other than " + permittedNames))
        .because(name + " may depend on " + permittedNames)
        .allowEmptyShould(true);
  }

  /** Classes loaded from a test output folder or a test-jar, such as {@link ContractCheck}. */
  private static DescribedPredicate<JavaClass> compiledAsTestCode() {
    var markers = List.of("/test-classes/", "-tests.jar");
    return describe(
        "compiled as test code",
        c ->
            c.getSource()
                .map(s -> s.getUri().toString())
                .filter(uri -> markers.stream().anyMatch(uri::contains))
                .isPresent());
  }
}
