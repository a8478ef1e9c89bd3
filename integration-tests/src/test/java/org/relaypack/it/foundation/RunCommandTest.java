package org.relaypack.it.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.LoopingMail;
import org.relaypack.it.harness.DocumentedCurl;
import org.relaypack.it.samples.RunCommand;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * README command 1 as a user runs it: James 3.8.1 in its own JVM, whose class path does not hold
 * the pack, loading the packaged jar from {@code extensions-jars/}, with the demo's stand-ins; the
 * closing summary names each listener by role and its suggested commands work as printed.
 * Needs the packaged jars: it runs in {@code mvn verify}, after the dist and runner modules.
 */
class RunCommandTest {
    @RegisterExtension
    static final RunCommand run = RunCommand.of("demo");
    private static List<String> output;

    @BeforeAll
    static void startRunCommand() {
        output = run.output();
    }

    private static int port(String key) {
        return run.port(key);
    }

    @Test
    void theRunCommandClassPathShouldNotHoldThePack() throws Exception {
        for (String entry : Splitter.on(java.io.File.pathSeparator).split(
            Files.readString(RunCommand.packaged("relaypack.runner.classpath")).trim() + java.io.File.pathSeparator + RunCommand.packaged("relaypack.runner.jar"))) {
            try (JarFile jar = new JarFile(entry)) {
                assertThat(jar.getEntry("org/relaypack/mailets/HopLimit.class")).as(entry).isNull();
            }
        }
    }

    @Test
    void jamesShouldLoadThePackFromExtensionsJars() {
        assertThat(output).anySatisfy(line -> assertThat(line)
            .contains("Loading custom classpath resource")
            .contains(run.workdir().resolve("extensions-jars").toString())
            .contains("relaypack-"));
    }

    @Test
    void aMessageSentToTheDemoShouldArriveAtTheUpstreamStandInAndThePackShouldStopALoop() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(port("listener.25"))) {
            assertThat(client.greeting().code()).isEqualTo(220);
            client.ehlo("lan-host");
            assertThat(client.send("alice@lan.example", ImmutableList.of("loop@remote.example"), LoopingMail.withHeaders("")).code()).isEqualTo(250);
            assertThat(client.send("alice@lan.example", ImmutableList.of("dave@remote.example"),
                "Subject: hello from the LAN\r\n\r\nHello Dave").code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> run.subjects("upstream", "dave@remote.example").size() == 1);
        assertThat(run.subjects("upstream", "dave@remote.example").get(0)).isEqualTo("hello from the LAN");
        // HopLimit, loaded from extensions-jars, took the looping message out of the flow.
        assertThat(run.subjects("upstream", "loop@remote.example")).isEmpty();
    }

    @Test
    void mailSentAsTheSummarySuggestsShouldArriveAtTheRightStandIns() throws Exception {
        run.walkTheSummary();

        // Per-user routing: each mailbox server got only its own user's copy.
        assertThat(run.subjects("mailbox2", "alice@example.com")).isEmpty();
        assertThat(run.subjects("mailbox1", "carol@example.com")).isEmpty();
        assertThat(run.subjects("upstream", "alice@example.com")).isEmpty();
    }

    @Test
    void theSummaryShouldNameEachListenerByRoleAndSuggestTheDemosCommands() {
        List<String> summary = output.subList(output.indexOf("=== relaypack: James 3.8.1 is up with conf-sample 'demo' ==="), output.size());
        assertThat(summary).anySatisfy(line -> assertThat(line).startsWith("SMTP 25").contains("127.0.0.1:" + port("listener.25")))
            .anySatisfy(line -> assertThat(line).startsWith("WebAdmin").contains("127.0.0.1:" + port("listener.8000")))
            .anySatisfy(line -> assertThat(line).startsWith("JMX").contains("127.0.0.1:" + port("listener.9999")))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in upstream").contains("127.0.0.1:" + port("standin.upstream.smtp")))
            .anySatisfy(line -> assertThat(line).isEqualTo("  swaks --server 127.0.0.1:" + port("listener.25")
                + " --from alice@lan.example --to bob@remote.example"))
            .anySatisfy(line -> assertThat(line).isEqualTo("  ./relaypack cli --workdir " + run.workdir() + " ListDomains"))
            // Listeners by role, not by the sample's port alone.
            .noneSatisfy(line -> assertThat(line).startsWith("listener "));
    }

    /** The README's WebAdmin lines for the demo (a route set, then looked up), run with curl as written but for the port. */
    @Test
    void theReadmesWebAdminLinesShouldWorkAsWritten() throws Exception {
        List<String> curlLines = DocumentedCurl.lines("README.md", line -> line.contains("/relaypack/routes/"));
        assertThat(curlLines).hasSize(2);

        List<String> outputs = DocumentedCurl.run(curlLines, port("listener.8000"));

        assertThat(outputs.get(0)).as("the PUT answers 204, no body").isEmpty();
        assertThat(outputs.get(1)).contains("\"address\":\"dave@example.com\"", "\"status\":\"found\"", "\"hop\":\"mailbox2\"");
    }
}
