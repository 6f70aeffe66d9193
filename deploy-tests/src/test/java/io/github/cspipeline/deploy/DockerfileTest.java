package io.github.cspipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's dependency layer builds the reactor from the POMs alone, and Maven refuses a
 * reactor with a missing module ("Child module ... does not exist"): every module the root POM
 * lists must have its POM copied there. No Docker engine runs here, so this is checked by parsing.
 */
class DockerfileTest {

  private static final Path ROOT = Path.of("..");

  @Test
  void the_dependency_layer_copies_the_pom_of_every_module_of_the_reactor() throws Exception {
    var modules =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")))
            .results()
            .map(m -> m.group(1).trim())
            .toList();
    var copied =
        Pattern.compile("(?m)^COPY (\\S+)/pom\\.xml (\\S+)/$")
            .matcher(Files.readString(ROOT.resolve("Dockerfile")))
            .results()
            .peek(
                m ->
                    assertThat(m.group(2))
                        .as("target of COPY %s", m.group(1))
                        .isEqualTo(m.group(1)))
            .map(m -> m.group(1))
            .toList();

    assertThat(modules).isNotEmpty();
    assertThat(copied).containsExactlyInAnyOrderElementsOf(modules);
  }
}
