package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.core.importer.ImportOption.OnlyIncludeTests;
import io.github.cspipeline.model.ArchitectureRules.Module;
import org.junit.jupiter.api.Test;

/** The rules report what they are for: a passing ArchitectureTest is worth something. */
class ArchitectureRulesTest {

  private static final String MODEL = Module.COMMON_MODEL.rootPackage();

  @Test
  void a_module_that_uses_a_module_it_may_not_is_reported() {
    var modelClasses =
        new ClassFileImporter().withImportOption(new DoNotIncludeTests()).importPackages(MODEL);

    // common-model's classes use common-model: fine for itself, not for the simulator.
    assertThatCode(
            () ->
                ArchitectureRules.dependsOnlyOnAllowedModules(Module.COMMON_MODEL)
                    .check(modelClasses))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                ArchitectureRules.dependsOnlyOnAllowedModules(Module.CRYPTSHARE_SIMULATOR)
                    .check(modelClasses))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CRYPTSHARE_SIMULATOR may depend on no other project module");
  }

  @Test
  void code_that_uses_test_code_is_reported() {
    var testClasses =
        new ClassFileImporter().withImportOption(new OnlyIncludeTests()).importPackages(MODEL);

    assertThatThrownBy(() -> ArchitectureRules.noTestCodeInMain().check(testClasses))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.junit")
        .hasMessageContaining(ContractCheck.class.getName());
  }
}
