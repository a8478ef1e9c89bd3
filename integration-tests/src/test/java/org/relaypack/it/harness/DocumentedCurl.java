package org.relaypack.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Predicate;

import com.google.common.collect.ImmutableList;

/** The WebAdmin curl lines of a docs page, run with the real curl as written but for the port. */
public final class DocumentedCurl {
    /** The lines of the page (a path from the project root) that start with "curl " and that the filter keeps, in page order. */
    public static List<String> lines(String page, Predicate<String> which) throws Exception {
        return Files.readAllLines(RelayJames.projectRoot().resolve(page)).stream()
            .filter(line -> line.startsWith("curl ") && which.test(line))
            .collect(ImmutableList.toImmutableList());
    }

    /** What each line printed (127.0.0.1:8000 moved to the given port, -sS added); a line that fails fails the test. */
    public static List<String> run(List<String> lines, int webAdminPort) throws Exception {
        ImmutableList.Builder<String> outputs = ImmutableList.builder();
        for (String line : lines) {
            Process curl = new ProcessBuilder("sh", "-c", line.replace("127.0.0.1:8000", "127.0.0.1:" + webAdminPort) + " -sS")
                .redirectErrorStream(true)
                .start();
            String printed = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(line + " printed " + printed).isZero();
            outputs.add(printed);
        }
        return outputs.build();
    }

    private DocumentedCurl() {
    }
}
