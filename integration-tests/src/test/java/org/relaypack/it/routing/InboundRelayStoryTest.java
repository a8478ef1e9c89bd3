package org.relaypack.it.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.DocumentedCurl;
import org.relaypack.testing.SmtpTestClient;
import org.relaypack.testing.TestResources;

import com.google.common.collect.ImmutableList;

/**
 * The inbound-relay conf-sample as shipped, on a real James 3.8.1, with two real SMTP servers
 * standing for the mailbox servers; the internet is a client on 127.0.0.2.
 */
class InboundRelayStoryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @RegisterExtension
    static final TestResources resources = TestResources.perClass();
    private static InboundRelay relay;

    @BeforeAll
    static void start() throws Exception {
        relay = resources.add(InboundRelay.start(sample -> sample));
        assertThat(Files.readString(relay.james().confDir().resolve("relaypack.xml")))
            .contains("[127.0.0.1]:" + relay.server1().port(), "[127.0.0.1]:" + relay.server2().port());
    }

    @BeforeEach
    void purge() {
        relay.clear();
    }

    private static String message(String subject) {
        return "From: sender@sender.example.org\r\nTo: team@example.com\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
    }

    @Test
    void oneMessageToThreeUsersShouldGiveEachMailboxServerOneCopyWithExactlyItsRecipients() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org",
                ImmutableList.of("alice@example.com", "carol@example.com", "bob@example.com"), message("split")).code())
                .isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server1().transactions().size() == 1 && relay.server2().transactions().size() == 1);
        assertThat(relay.server1().transactions().get(0).recipients()).containsExactlyInAnyOrder("alice@example.com", "bob@example.com");
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("carol@example.com");
        assertThat(relay.server1().transactions().get(0).message().getSubject()).isEqualTo("split");
        assertThat(relay.server2().transactions().get(0).message().getSubject()).isEqualTo("split");
    }

    @Test
    void anUnknownUserShouldBeRefusedAtRcptAndTheOthersStillDelivered() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.command("MAIL FROM:<sender@sender.example.org>").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<mallory@example.com>").text())
                .isEqualTo("550 5.1.1 <mallory@example.com>: Recipient address rejected: User unknown");
            assertThat(client.command("RCPT TO:<carol@example.com>").text())
                .isEqualTo("250 2.1.5 Recipient <carol@example.com> OK");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            client.sendRaw(message("known only") + ".\r\n");
            assertThat(client.readReply().code()).isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server2().transactions().size() == 1);
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("carol@example.com");
        assertThat(relay.server1().transactions()).isEmpty();
    }

    @Test
    void theRelayShouldStayClosedForOtherDomains() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.command("MAIL FROM:<spammer@sender.example.org>").code()).isEqualTo(250);

            assertThat(client.command("RCPT TO:<victim@elsewhere.example.net>").code()).isEqualTo(550);
        }
    }

    @Test
    void anEditedRoutesFileShouldBeUsedWithoutRestart() throws Exception {
        Path routes = relay.james().confDir().resolve("routes.txt");
        Path next = relay.james().confDir().resolve("routes.txt.new");
        Files.writeString(next, Files.readString(routes, StandardCharsets.UTF_8) + "dave@example.com server2\n", StandardCharsets.UTF_8);
        Files.move(next, routes, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().atMost(DELIVERY).untilAsserted(() -> {
            try (SmtpTestClient client = relay.fromTheInternet()) {
                client.command("MAIL FROM:<sender@sender.example.org>");
                assertThat(client.command("RCPT TO:<dave@example.com>").code()).isEqualTo(250);
            }
        });
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org", List.of("dave@example.com"), message("new route")).code()).isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server2().transactions().size() == 1);
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("dave@example.com");
        assertThat(relay.server1().transactions()).isEmpty();
    }

    @Test
    void aBrokenRoutesFileShouldLeaveTheLastGoodTableInPlace() throws Exception {
        Path routes = relay.james().confDir().resolve("routes.txt");
        String good = Files.readString(routes, StandardCharsets.UTF_8);
        try {
            // A valid new line, and a line without a next hop: the whole file must be refused.
            replace(routes, good + "frank@example.com server2\nerin@example.com\n");

            // Three reload intervals of the sample (1s): had the file been taken, frank would be accepted.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (SmtpTestClient client = relay.fromTheInternet()) {
                    client.command("MAIL FROM:<sender@sender.example.org>");
                    assertThat(client.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
                    assertThat(client.command("RCPT TO:<frank@example.com>").code()).isEqualTo(550);
                }
            });
        } finally {
            replace(routes, good);
        }
    }

    private static void replace(Path file, String content) throws Exception {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The curl lines of docs/routing.md, run as written but for WebAdmin's port (8000 in the sample). */
    @Test
    void theCurlLinesOfTheRoutingDocsShouldWorkAsWritten() throws Exception {
        List<String> curlLines = DocumentedCurl.lines("docs/routing.md", line -> true);
        assertThat(curlLines).hasSize(2);

        List<String> outputs = DocumentedCurl.run(curlLines, relay.james().webAdminPort());

        assertThat(outputs.get(0)).as("the PUT answers 204, no body").isEmpty();
        assertThat(outputs.get(1)).contains("\"address\":\"erin@example.com\"", "\"status\":\"found\"", "\"hop\":\"server2\"");
    }

    @Test
    void aRouteSetThroughWebAdminShouldBeFollowedAtOnce() throws Exception {
        HttpResponse<String> withoutJson = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.james().webAdminPort() + "/relaypack/routes/erin@example.com"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"hop\":\"server1\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(withoutJson.statusCode()).isEqualTo(415);
        assertThat(withoutJson.body()).contains("Content-Type: application/json");

        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.james().webAdminPort() + "/relaypack/routes/erin@example.com"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"hop\":\"server1\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(204);

        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org", List.of("erin@example.com"), message("webadmin")).code()).isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server1().transactions().size() == 1);
        assertThat(relay.server1().transactions().get(0).recipients()).containsExactly("erin@example.com");
        assertThat(relay.server2().transactions()).isEmpty();
        assertThat(Files.readAllLines(relay.james().confDir().resolve("routes.txt"))).contains("erin@example.com server1");
    }

    @Test
    void aRewrittenRecipientShouldReachItsServerUnderItsNewAddress() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org", List.of("dan@example.com", "alice@example.com"), message("rewrite")).code())
                .isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server1().transactions().size() == 1 && relay.server2().transactions().size() == 1);
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("daniel@mbox2.example.com");
        assertThat(relay.server1().transactions().get(0).recipients()).containsExactly("alice@example.com");
    }

    @Test
    void aServerThatIsDownShouldDelayOnlyItsOwnRecipientsAndGetItsCopyOnceBack() throws Exception {
        relay.stopServer2();
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org", List.of("alice@example.com", "carol@example.com"), message("down")).code())
                .isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server1().transactions().size() == 1);
        assertThat(relay.server1().transactions().get(0).recipients()).containsExactly("alice@example.com");

        relay.restartServer2();

        await().atMost(DELIVERY).until(() -> relay.server2().transactions().size() == 1);
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("carol@example.com");
        assertThat(relay.server2().transactions().get(0).message().getSubject()).isEqualTo("down");
        assertThat(relay.server1().transactions()).hasSize(1);
    }

    @Test
    void webAdminShouldTellWhereAnAddressGoes() throws Exception {
        HttpResponse<String> lookup = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.james().webAdminPort() + "/relaypack/routes/lookup/carol@example.com"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(lookup.statusCode()).isEqualTo(200);
        assertThat(lookup.body()).isEqualTo("{\"address\":\"carol@example.com\",\"status\":\"found\",\"source\":\"file\","
            + "\"hop\":\"server2\",\"recipient\":\"carol@example.com\",\"reason\":null}");
    }
}
