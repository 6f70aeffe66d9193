package io.github.cspipeline.kafka;

import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import io.github.cspipeline.model.ArchitectureRules;

/**
 * ArchitectureRules (package cycles, module direction, no test code) on this module's main code.
 */
@AnalyzeClasses(packages = "io.github.cspipeline.kafka", importOptions = DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest static final ArchTests rules = ArchTests.in(ArchitectureRules.class);
}
