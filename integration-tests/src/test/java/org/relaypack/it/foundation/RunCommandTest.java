package org.relaypack.it.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
import org.relaypack.it.harness.SmtpTestClient;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * README command 1 as a user runs it: James 3.8.1 in its own JVM, whose class path does not hold
 * the pack, loading the packaged jar from {@code extensions-jars/}, with the demo's stand-ins.
 * Needs the packaged jars: it runs in {@code mvn verify}, after the dist and runner modules.
 */
class RunCommandTest {
    @TempDir
    static Path workdir;
    private static Process james;
    private static final List<String> output = new CopyOnWriteArrayList<>();
    private static Properties ports;

    @BeforeAll
    static void startRunCommand() throws Exception {
        Path runnerJar = packaged("relaypack.runner.jar");
        Path classpathFile = packaged("relaypack.runner.classpath");
        Path packJar = packaged("relaypack.jar");
        String classpath = runnerJar + java.io.File.pathSeparator + Files.readString(classpathFile).trim();
        james = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Drelaypack.root=" + RelayJames.projectRoot(), "-cp", classpath,
            "org.relaypack.runner.RelaypackRun", "demo", "--workdir", workdir.toString(), "--pack", packJar.toString(), "--free-ports")
            .redirectErrorStream(true)
            .start();
        Thread pump = new Thread(() -> pump(james.getInputStream()), "run-command-output");
        pump.setDaemon(true);
        pump.start();
        await().atMost(Duration.ofMinutes(3))
            .until(() -> !james.isAlive() || output.stream().anyMatch(line -> line.contains("James 3.8.1 is up")));
        assertThat(james.isAlive()).as("run command output:\n%s", String.join("\n", output)).isTrue();
        ports = new Properties();
        try (InputStream in = Files.newInputStream(workdir.resolve("ports.properties"))) {
            ports.load(in);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.destroy();
            james.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static Path packaged(String property) {
        Path path = Paths.get(System.getProperty(property, "<unset>"));
        assertThat(path).as("%s: run 'mvn verify' (or 'mvn package') so the packaged jars exist", property).exists();
        return path;
    }

    private static void pump(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add("output pump stopped: " + e);
        }
    }

    private static int port(String key) {
        return Integer.parseInt(ports.getProperty(key));
    }

    @Test
    void theRunCommandClassPathShouldNotHoldThePack() throws Exception {
        for (String entry : Splitter.on(java.io.File.pathSeparator).split(
            Files.readString(packaged("relaypack.runner.classpath")).trim() + java.io.File.pathSeparator + packaged("relaypack.runner.jar"))) {
            try (JarFile jar = new JarFile(entry)) {
                assertThat(jar.getEntry("org/relaypack/loop/HopLimit.class")).as(entry).isNull();
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
            assertThat(client.send("alice@lan.example", ImmutableList.of("bob@remote.example"),
                "Subject: hello from the LAN\r\n\r\nHello Bob").code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> imapMessages("bob@remote.example").size() == 1);
        assertThat(imapMessages("bob@remote.example").get(0)).isEqualTo("hello from the LAN");
        // HopLimit, loaded from extensions-jars, took the looping message out of the flow.
        assertThat(imapMessages("loop@remote.example")).isEmpty();
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
