package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.core.importer.ImportOption.OnlyIncludeTests;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules report what they are for, so that a passing ArchitectureTest is worth something. (The
 * cycle rule showed itself on the real code: it found the cycles that were then removed.)
 */
class ArchitectureRulesTest {

  private static final String MODEL = ArchitectureRules.Module.COMMON_MODEL.rootPackage();

  @Test
  void a_module_that_uses_a_module_it_may_not_is_reported() {
    var modelClasses =
        new ClassFileImporter().withImportOption(new DoNotIncludeTests()).importPackages(MODEL);

    // As if common-model's root package were a module allowed only itself: it uses event/command.
    var rule = ArchitectureRules.dependsOnlyOn("ROOT", MODEL, List.of(MODEL), "nothing");

    assertThatThrownBy(() -> rule.check(modelClasses))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("because ROOT may depend on nothing")
        .hasMessageContaining("<" + MODEL + ".event.TransferEvent>");
  }

  @Test
  void code_that_uses_test_code_is_reported() {
    var testClasses =
        new ClassFileImporter().withImportOption(new OnlyIncludeTests()).importPackages(MODEL);

    assertThatThrownBy(() -> ArchitectureRules.main_code_uses_no_test_code.check(testClasses))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.junit")
        .hasMessageContaining(ContractCheck.class.getName());
  }
}
