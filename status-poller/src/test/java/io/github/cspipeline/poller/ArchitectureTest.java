package io.github.cspipeline.poller;

import static io.github.cspipeline.model.ArchitectureRules.Module.STATUS_POLLER;

import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.github.cspipeline.model.ArchitectureRules;

/** The package and module rules of ArchitectureRules, on this module's main classes. */
@AnalyzeClasses(packages = "io.github.cspipeline.poller", importOptions = DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule packages_are_free_of_cycles =
      ArchitectureRules.packagesFreeOfCycles(STATUS_POLLER);

  @ArchTest
  static final ArchRule depends_only_on_allowed_modules =
      ArchitectureRules.dependsOnlyOnAllowedModules(STATUS_POLLER);

  @ArchTest static final ArchRule no_test_code_in_main = ArchitectureRules.noTestCodeInMain();
}
