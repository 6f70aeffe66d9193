package io.github.cspipeline.model;

import static io.github.cspipeline.model.ArchitectureRules.Module.COMMON_MODEL;

import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package and module rules of ArchitectureRules, on this module's main classes. */
@AnalyzeClasses(packages = "io.github.cspipeline.model", importOptions = DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule packages_are_free_of_cycles =
      ArchitectureRules.packagesFreeOfCycles(COMMON_MODEL);

  @ArchTest
  static final ArchRule depends_only_on_allowed_modules =
      ArchitectureRules.dependsOnlyOnAllowedModules(COMMON_MODEL);

  @ArchTest static final ArchRule no_test_code_in_main = ArchitectureRules.noTestCodeInMain();
}
