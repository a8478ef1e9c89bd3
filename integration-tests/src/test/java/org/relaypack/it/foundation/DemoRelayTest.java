package org.relaypack.it.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.LoopingMail;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient.Reply;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;

/**
 * The demo conf-sample as shipped, on a real James 3.8.1, with a real SMTP server standing in for
 * the upstream smarthost.
 */
class DemoRelayTest {
    private static SmtpPeer upstream;
    private static SmtpPeer mailbox1;
    private static SmtpPeer mailbox2;
    private static RelayJames james;

    @BeforeAll
    static void startRelay() throws Exception {
        upstream = SmtpPeer.builder().start();
        mailbox1 = SmtpPeer.builder().start();
        mailbox2 = SmtpPeer.builder().start();
        james = RelayJames.sample("demo")
            .substitute("[127.0.0.1]:10025", "[127.0.0.1]:" + upstream.port())
            .substitute("[127.0.0.1]:11025", "[127.0.0.1]:" + mailbox1.port())
            .substitute("[127.0.0.1]:12025", "[127.0.0.1]:" + mailbox2.port())
            .start();
    }

    @AfterAll
    static void stop() {
        james.close();
        upstream.close();
        mailbox1.close();
        mailbox2.close();
    }

    @BeforeEach
    void purge() {
        upstream.clear();
        mailbox1.clear();
        mailbox2.clear();
    }

    @Test
    void aMessageFromTheLanShouldReachTheUpstreamSmarthostIntact() throws Exception {
        String body = "Line one\r\n.leading dot survives\r\nLine three";
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            assertThat(client.greeting().code()).isEqualTo(220);
            assertThat(client.ehlo("lan-host.lan.example").code()).isEqualTo(250);
            Reply reply = client.send("alice@lan.example", ImmutableList.of("bob@remote.example"),
                "From: alice@lan.example\r\nTo: bob@remote.example\r\nSubject: quarterly report\r\n"
                    + "Message-ID: <demo-1@lan.example>\r\nX-Custom: kept\r\n\r\n" + body);
            assertThat(reply.code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1);
        SmtpPeer.Transaction transaction = upstream.transactions().get(0);
        assertThat(transaction.sender()).isEqualTo("alice@lan.example");
        assertThat(transaction.recipients()).containsExactly("bob@remote.example");
        MimeMessage received = transaction.message();
        assertThat(received.getSubject()).isEqualTo("quarterly report");
        assertThat(received.getMessageID()).isEqualTo("<demo-1@lan.example>");
        assertThat(received.getHeader("X-Custom")).containsExactly("kept");
        assertThat(transaction.content()).endsWith("\r\n\r\n" + body + "\r\n");
    }

    @Test
    void aHostOutsideTheAuthorizedNetworksShouldNotBeAbleToRelay() throws Exception {
        try (SmtpTestClient outsider = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25))) {
            outsider.greeting();
            outsider.ehlo("outsider.example");
            assertThat(outsider.command("MAIL FROM:<spammer@outsider.example>").code()).isEqualTo(250);

            Reply rcpt = outsider.command("RCPT TO:<victim@remote.example>");

            assertThat(rcpt.code()).isEqualTo(550);
            assertThat(rcpt.text()).contains("5.7.1");
        }
        // Give a wrongly accepted mail every chance to show up before checking it did not.
        try (SmtpTestClient lan = SmtpTestClient.plain(james.port(25))) {
            lan.greeting();
            lan.ehlo("lan-host.lan.example");
            lan.send("alice@lan.example", ImmutableList.of("marker@remote.example"),
                SmtpTestClient.message("alice@lan.example", "marker@remote.example", "marker", "after the refused one"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1);
        assertThat(upstream.transactions()).flatExtracting(SmtpPeer.Transaction::recipients)
            .containsExactly("marker@remote.example");
    }

    @Test
    void aLoopingMessageShouldBeBouncedWith546AndNotForwarded() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("lan-host.lan.example");
            assertThat(client.send("alice@lan.example", ImmutableList.of("bob@remote.example"),
                LoopingMail.withHeaders("From: alice@lan.example\r\nTo: bob@remote.example\r\n")).code())
                .isEqualTo(250);
        }

        // The DSN to alice is itself relayed upstream (alice is not local); bob gets nothing.
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() >= 1);
        assertThat(upstream.transactions()).hasSize(1);
        SmtpPeer.Transaction dsn = upstream.transactions().get(0);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly("alice@lan.example");
        assertThat(dsn.content()).contains("5.4.6 Too many hops");
        assertThat(upstream.transactionsTo("bob@remote.example")).isEmpty();
    }

    @Test
    void mailFromTheInternetForExampleComShouldReachEachUsersMailboxServerOnce() throws Exception {
        try (SmtpTestClient internet = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25))) {
            internet.greeting();
            internet.ehlo("mx-out.remote.example");
            assertThat(internet.command("MAIL FROM:<dave@remote.example>").code()).isEqualTo(250);
            assertThat(internet.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
            assertThat(internet.command("RCPT TO:<bob@example.com>").code()).isEqualTo(250);
            assertThat(internet.command("RCPT TO:<carol@example.com>").code()).isEqualTo(250);
            Reply unknown = internet.command("RCPT TO:<nobody@example.com>");
            assertThat(unknown.code()).isEqualTo(550);
            assertThat(unknown.text()).contains("5.1.1");
            assertThat(internet.command("DATA").code()).isEqualTo(354);
            internet.sendRaw("Subject: team lunch\r\nMessage-ID: <lunch@remote.example>\r\n\r\nFriday?\r\n.\r\n");
            assertThat(internet.readReply().code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(30))
            .until(() -> mailbox1.transactions().size() == 1 && mailbox2.transactions().size() == 1);
        assertThat(mailbox1.transactions().get(0).recipients()).containsExactlyInAnyOrder("alice@example.com", "bob@example.com");
        assertThat(mailbox2.transactions().get(0).recipients()).containsExactly("carol@example.com");
        assertThat(mailbox2.transactions().get(0).message().getSubject()).isEqualTo("team lunch");
        // Nothing else went anywhere: no second copy, nothing upstream.
        try (SmtpTestClient lan = SmtpTestClient.plain(james.port(25))) {
            lan.greeting();
            lan.ehlo("lan-host.lan.example");
            lan.send("alice@lan.example", ImmutableList.of("marker@remote.example"),
                SmtpTestClient.message("alice@lan.example", "marker@remote.example", "marker", "after the routed one"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1);
        assertThat(upstream.transactions()).flatExtracting(SmtpPeer.Transaction::recipients).containsExactly("marker@remote.example");
        assertThat(mailbox1.transactions()).hasSize(1);
        assertThat(mailbox2.transactions()).hasSize(1);
    }
}
