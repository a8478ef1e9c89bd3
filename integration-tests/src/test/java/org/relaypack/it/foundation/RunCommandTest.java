package org.relaypack.it.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.it.harness.RelayJames;
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
    @TempDir
    static Path workdir;
    private static RunCommand run;
    private static List<String> output;

    @BeforeAll
    static void startRunCommand() throws Exception {
        run = RunCommand.start("demo", workdir);
        output = run.output();
    }

    @AfterAll
    static void stop() throws Exception {
        if (run != null) {
            run.close();
        }
    }

    private static Path packaged(String property) {
        Path path = Paths.get(System.getProperty(property, "<unset>"));
        assertThat(path).as("%s: run 'mvn verify' (or 'mvn package') so the packaged jars exist", property).exists();
        return path;
    }

    private static int port(String key) {
        return run.port(key);
    }

    @Test
    void theRunCommandClassPathShouldNotHoldThePack() throws Exception {
        for (String entry : Splitter.on(java.io.File.pathSeparator).split(
            Files.readString(packaged("relaypack.runner.classpath")).trim() + java.io.File.pathSeparator + packaged("relaypack.runner.jar"))) {
            try (JarFile jar = new JarFile(entry)) {
                assertThat(jar.getEntry("org/relaypack/mailets/HopLimit.class")).as(entry).isNull();
            }
        }
    }

    @Test
    void jamesShouldLoadThePackFromExtensionsJars() {
        assertThat(output).anySatisfy(line -> assertThat(line)
            .contains("Loading custom classpath resource")
            .contains(workdir.resolve("extensions-jars").toString())
            .contains("relaypack-"));
    }

    @Test
    void aMessageSentToTheDemoShouldArriveAtTheUpstreamStandInAndThePackShouldStopALoop() throws Exception {
        StringBuilder looping = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            looping.append("Received: from r").append(i).append(".example by r").append(i + 1).append(".example; Sat, 28 Nov 2026 11:00:00 +0000\r\n");
        }
        looping.append("Subject: looping\r\n\r\nround and round");
        try (SmtpTestClient client = SmtpTestClient.plain(port("listener.25"))) {
            assertThat(client.greeting().code()).isEqualTo(220);
            client.ehlo("lan-host");
            assertThat(client.send("alice@lan.example", ImmutableList.of("loop@remote.example"), looping.toString()).code()).isEqualTo(250);
            assertThat(client.send("alice@lan.example", ImmutableList.of("dave@remote.example"),
                "Subject: hello from the LAN\r\n\r\nHello Dave").code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> imapMessages("dave@remote.example").size() == 1);
        assertThat(imapMessages("dave@remote.example").get(0)).isEqualTo("hello from the LAN");
        // HopLimit, loaded from extensions-jars, took the looping message out of the flow.
        assertThat(imapMessages("loop@remote.example")).isEmpty();
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
            .anySatisfy(line -> assertThat(line).isEqualTo("  ./relaypack cli --workdir " + workdir + " ListDomains"))
            // Listeners by role, not by the sample's port alone.
            .noneSatisfy(line -> assertThat(line).startsWith("listener "));
    }

    /** The README's WebAdmin lines for the demo (a route set, then looked up), run with curl as written but for the port. */
    @Test
    void theReadmesWebAdminLinesShouldWorkAsWritten() throws Exception {
        List<String> curlLines = Files.readAllLines(RelayJames.projectRoot().resolve("README.md")).stream()
            .filter(line -> line.startsWith("curl ") && line.contains("/relaypack/routes/"))
            .collect(ImmutableList.toImmutableList());
        assertThat(curlLines).hasSize(2);

        List<String> outputs = new ArrayList<>();
        for (String line : curlLines) {
            Process curl = new ProcessBuilder("sh", "-c", line.replace("127.0.0.1:8000", "127.0.0.1:" + port("listener.8000")) + " -sS")
                .redirectErrorStream(true)
                .start();
            String printed = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(line + " printed " + printed).isZero();
            outputs.add(printed);
        }

        assertThat(outputs.get(0)).as("the PUT answers 204, no body").isEmpty();
        assertThat(outputs.get(1)).contains("\"address\":\"dave@example.com\"", "\"status\":\"found\"", "\"hop\":\"mailbox2\"");
    }

    private static List<String> imapMessages(String user) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", port("standin.upstream.imap"), user, "any");
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            ImmutableList.Builder<String> subjects = ImmutableList.builder();
            for (Message message : inbox.getMessages()) {
                subjects.add(message.getSubject());
            }
            inbox.close(false);
            return subjects.build();
        } finally {
            store.close();
        }
    }
}
