package io.github.cspipeline.model;

import com.tngtech.archunit.core.importer.ImportOption.DoNotIncludeTests;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;

/**
 * ArchitectureRules (package cycles, module direction, no test code) on this module's main code.
 */
@AnalyzeClasses(packages = "io.github.cspipeline.model", importOptions = DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest static final ArchTests rules = ArchTests.in(ArchitectureRules.class);
}
