package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.HopTransport;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.it.harness.SmtpTestClient;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The delivery engine and SmarthostDelivery inside a real James 3.8.1 (the demo sample with the
 * story's mailetcontainer.xml and relaypack.xml), the SMTP transport replaced by a recording one:
 * routing and splitting, DSNs written by James's DSNBounce, one engine for two mailets.
 */
class SmarthostEngineStoryTest {
    private static final ListAppender<ILoggingEvent> ENGINE_LOG = new ListAppender<>();
    private static RecordingTransport transport;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ENGINE_LOG.start();
        ((Logger) LoggerFactory.getLogger(DeliveryEngine.class)).addAppender(ENGINE_LOG);
        transport = new RecordingTransport();
        james = sampleWithStoryConf().overrideWith(binder -> binder.bind(HopTransport.class).toInstance(transport)).start();
    }

    /** conf-samples/demo with this story's files on top, as a sample of its own. */
    private static RelayJames.Builder sampleWithStoryConf() throws Exception {
        Path root = Files.createTempDirectory("relaypack-story-");
        Path sample = Files.createDirectories(root.resolve("conf-samples").resolve("smarthost-engine"));
        copyAll(RelayJames.projectRoot().resolve("conf-samples").resolve("demo"), sample);
        copyAll(Path.of(SmarthostEngineStoryTest.class.getResource("/smarthost-engine").toURI()), sample);
        String previous = System.getProperty("relaypack.root");
        System.setProperty("relaypack.root", root.toString());
        try {
            return RelayJames.sample("smarthost-engine");
        } finally {
            System.setProperty("relaypack.root", previous);
        }
    }

    private static void copyAll(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @AfterAll
    static void stop() {
        james.close();
        ((Logger) LoggerFactory.getLogger(DeliveryEngine.class)).detachAppender(ENGINE_LOG);
    }

    @BeforeEach
    void clear() {
        transport.clear();
    }

    private void send(String from, ImmutableList<String> recipients, String subject) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("lan-host.lan.example");
            assertThat(client.send(from, recipients,
                SmtpTestClient.message(from, String.join(", ", recipients), subject, "hello")).code()).isEqualTo(250);
        }
    }

    @Test
    void oneMessageShouldReachEachNextHopWithExactlyItsRecipients() throws Exception {
        send("alice@lan.example", ImmutableList.of("bob@remote.example", "carol@partner.example", "dave@remote.example"), "split");

        await().atMost(Duration.ofSeconds(30)).until(() -> transport.deliveries().size() == 2);
        assertThat(transport.deliveriesTo("partner")).singleElement()
            .satisfies(delivery -> assertThat(delivery.recipients).containsExactly("carol@partner.example"));
        assertThat(transport.deliveriesTo("upstream")).singleElement()
            .satisfies(delivery -> assertThat(delivery.recipients).containsExactly("bob@remote.example", "dave@remote.example"));
        assertThat(transport.deliveries()).allSatisfy(delivery -> {
            assertThat(delivery.sender).isEqualTo("alice@lan.example");
            assertThat(delivery.content).contains("Subject: split");
        });
    }

    @Test
    void aRejectedRecipientShouldGetADsnWrittenByDsnBounceAndTheOthersTheirMail() throws Exception {
        send("alice@lan.example", ImmutableList.of("bob@remote.example", "unknown@remote.example"), "half rejected");

        // The DSN to alice is itself relayed by the default route, from the null sender.
        await().atMost(Duration.ofSeconds(30)).until(() -> transport.deliveries().size() == 2);
        assertThat(transport.deliveries().get(0).recipients).containsExactly("bob@remote.example", "unknown@remote.example");
        RecordingTransport.Delivery dsn = transport.deliveries().get(1);
        assertThat(dsn.hop).isEqualTo("upstream");
        assertThat(dsn.sender).isEmpty();
        assertThat(dsn.recipients).containsExactly("alice@lan.example");
        assertThat(dsn.content)
            .contains("multipart/report")
            .contains("Final-Recipient: rfc822; unknown@remote.example")
            .contains("Diagnostic-Code: smtp; 550 5.1.1 User unknown")
            .doesNotContain("Final-Recipient: rfc822; bob@remote.example");
    }

    @Test
    void twoSmarthostMailetsShouldShareOneEngine() {
        assertThat(ENGINE_LOG.list)
            .filteredOn(event -> event.getFormattedMessage().startsWith("Delivering from queue relaypack-upstream "))
            .hasSize(1);
    }
}
