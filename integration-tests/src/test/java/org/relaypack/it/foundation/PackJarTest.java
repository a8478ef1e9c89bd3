package org.relaypack.it.foundation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The one jar of dist/ for James's extensions-jars/: all four modules (core, mailets, matchers,
 * SMTP hooks) shaded in, and nothing James already ships.
 */
class PackJarTest {
    private static List<String> classes() throws Exception {
        Path path = Paths.get(System.getProperty("relaypack.jar", "<unset>"));
        assertThat(path).as("relaypack.jar: run 'mvn verify' (or 'mvn package') so the packaged jar exists").exists();
        try (JarFile jar = new JarFile(path.toFile())) {
            return jar.stream()
                .map(JarEntry::getName)
                .filter(name -> name.endsWith(".class"))
                .collect(Collectors.toList());
        }
    }

    @Test
    void thePackShouldHoldEveryModule() throws Exception {
        assertThat(classes()).contains(
            "org/relaypack/wiring/RelaypackModule.class",
            "org/relaypack/delivery/DeliveryEngine.class",
            "org/relaypack/mailets/SmarthostDelivery.class",
            "org/relaypack/matchers/HasMailboxRoute.class",
            "org/relaypack/smtphooks/RequireTls.class");
    }

    @Test
    void thePackShouldHoldOnlyItsOwnClasses() throws Exception {
        assertThat(classes())
            .isNotEmpty()
            .allSatisfy(name -> assertThat(name).startsWith("org/relaypack/"))
            .noneMatch(name -> name.startsWith("org/relaypack/it/") || name.startsWith("org/relaypack/runner/"));
    }
}
