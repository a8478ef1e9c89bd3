package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.cli.type.CmdType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.RelayJames;

import com.google.common.collect.ImmutableList;

/**
 * Every admin CLI line of the docs, run as written against a real James 3.8.1 started by
 * {@code ./relaypack run submission}: {@code ./relaypack cli ...} lines through the run command's CLI,
 * {@code james-cli ...} lines through James's own {@code org.apache.james.cli.ServerCmd} in a JVM of
 * its own, started in James's folder as the docs say (where it finds conf/jmxremote.password), with
 * only the JMX port moved ({@code -p 9999}), as a local run moves every port.
 */
class AdminCliSampleTest {
    private static final Pattern CLI_LINE = Pattern.compile("^\\s*(\\./relaypack cli|james-cli) .*");
    private static final Pattern CLI_COMMAND_NAME = Pattern.compile("(?:james-cli|relaypack cli)(?: -h \\S+)?(?: -p \\S+)? ([A-Z][a-z]\\w*)|`([A-Z][a-z]+\\w*Mapping)`");

    @RegisterExtension
    static final RunCommand run = RunCommand.of("submission");

    /** The lines of fenced code blocks in README.md and docs/*.md that run the admin CLI, in file order. */
    static List<String> documentedCliLines() throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path page : pages()) {
            boolean inCode = false;
            for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
                if (line.trim().startsWith("```")) {
                    inCode = !inCode;
                } else if (inCode && CLI_LINE.matcher(line).matches()) {
                    lines.add(line.trim());
                }
            }
        }
        return lines;
    }

    private static List<Path> pages() throws Exception {
        Path root = RelayJames.projectRoot();
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            return ImmutableList.<Path>builder().add(root.resolve("README.md"))
                .addAll(docs.filter(page -> page.toString().endsWith(".md")).sorted().collect(Collectors.toList()))
                .build();
        }
    }

    @Test
    void everyCliCommandNamedInTheDocsShouldExistInJames381() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Path page : pages()) {
            Matcher matcher = CLI_COMMAND_NAME.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (matcher.find()) {
                String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
                if (CmdType.lookup(name) == null) {
                    unknown.add(page.getFileName() + ": " + name);
                }
            }
        }
        assertThat(unknown).as("james-cli commands that James 3.8.1 does not have").isEmpty();
    }

    @Test
    void everyCliLineOfTheDocsShouldSucceedAsWritten() throws Exception {
        List<String> lines = documentedCliLines();
        // The recipient rewrite table recipe of routing.md is among them.
        assertThat(lines).contains("./relaypack cli AddAddressMapping alice example.com alice@mbox1.example.com");

        for (String line : lines) {
            String printed = line.startsWith("james-cli ") ? jamesCli(line) : run.execute(line);
            assertThat(printed).as(line).contains("command executed sucessfully");
        }
        // What the recipe set is there, read back through the CLI.
        assertThat(run.cli(List.of("ListMappings"))).contains("alice@example.com").contains("alice@mbox1.example.com");
    }

    /** james-cli as the docs write it, from James's folder, in a JVM of its own. */
    private static String jamesCli(String line) throws Exception {
        List<String> words = ShellWords.split(line);
        List<String> arguments = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            arguments.add(words.get(i));
            if (words.get(i).equals("-p") && words.get(i + 1).equals("9999")) {
                arguments.add(String.valueOf(run.port("listener.9999")));
                i++;
            }
        }
        String classpath = RunCommand.packaged("relaypack.runner.jar") + File.pathSeparator
            + Files.readString(RunCommand.packaged("relaypack.runner.classpath")).trim();
        Process cli = new ProcessBuilder(ImmutableList.<String>builder()
            .add(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, "org.apache.james.cli.ServerCmd")
            .addAll(arguments).build())
            .directory(run.workdir().toFile())
            .redirectErrorStream(true)
            .start();
        String printed = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as("%s printed:\n%s", line, printed).isZero();
        return printed;
    }
}
