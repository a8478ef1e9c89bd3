package org.relaypack.it.smarthost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.relaypack.it.harness.RelayJames;

/** conf-samples/demo with a story's files (test resource folders) on top, as a sample of its own. */
final class StorySample {
    static RelayJames.Builder demoWith(String... resourceFolders) throws Exception {
        Path root = Files.createTempDirectory("relaypack-story-");
        Path sample = Files.createDirectories(root.resolve("conf-samples").resolve("story"));
        copyAll(RelayJames.projectRoot().resolve("conf-samples").resolve("demo"), sample);
        for (String folder : resourceFolders) {
            copyAll(Path.of(StorySample.class.getResource("/" + folder).toURI()), sample);
        }
        String previous = System.getProperty("relaypack.root");
        System.setProperty("relaypack.root", root.toString());
        try {
            return RelayJames.sample("story");
        } finally {
            if (previous == null) {
                System.clearProperty("relaypack.root");
            } else {
                System.setProperty("relaypack.root", previous);
            }
        }
    }

    private static void copyAll(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private StorySample() {
    }
}
