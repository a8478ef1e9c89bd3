package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.ConcurrentListAppender;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * SmarthostDelivery, the delivery engine and the SMTP transport inside a real James 3.8.1 (the
 * demo sample with this story's mailetcontainer.xml and relaypack.xml), with real SMTP peers
 * standing for the next hops: routing and splitting, DSNs written by James's DSNBounce, fallback,
 * retries, and one engine for two mailets.
 */
class SmarthostEngineStoryTest {
    /** The engine's loggers, its delivery log (DeliveryLog.LOGGER_NAME) included. */
    private static final String ENGINE_LOGGERS = "org.relaypack.delivery";
    private static final ListAppender<ILoggingEvent> ENGINE_LOG = new ConcurrentListAppender();
    private static SmtpPeer upstream;
    private static SmtpPeer partner;
    private static SmtpPeer backup;
    private static int laterPort;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ENGINE_LOG.start();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).addAppender(ENGINE_LOG);
        upstream = SmtpPeer.builder().rejectRecipients(recipient -> recipient.startsWith("unknown@")).start();
        partner = SmtpPeer.builder().start();
        backup = SmtpPeer.builder().start();
        laterPort = RelayJames.freePort();
        james = RelayJames.sample("demo").overlay("smarthost-engine")
            .substitute("[smtp.provider.example]:25", "[127.0.0.1]:" + upstream.port())
            .substitute("[mx.partner.example]:25", "[127.0.0.1]:" + partner.port())
            .substitute("[down.example]:25", "[127.0.0.1]:" + RelayJames.freePort())
            .substitute("[backup.example]:25", "[127.0.0.1]:" + backup.port())
            .substitute("[later.example]:25", "[127.0.0.1]:" + laterPort)
            // The overlay's relaypack.xml routes no domain: the demo's RCPT routing hook has nothing to do here.
            .substitute("<handler class=\"org.relaypack.smtphooks.RoutingRcptHook\"/>", "")
            .substitute("<handlerchain coreHandlersPackage=\"org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader\">", "<handlerchain>")
            .substitute("extensions.routes=org.relaypack.routing.MailboxRoutesWebAdminRoutes", "")
            .substitute("<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>",
                "<handler class=\"org.relaypack.it.smarthost.EngineProbeHook\"/>"
                    + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>")
            .start();
    }

    @AfterAll
    static void stop() {
        james.close();
        upstream.close();
        partner.close();
        backup.close();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).detachAppender(ENGINE_LOG);
    }

    @BeforeEach
    void clear() {
        upstream.clear();
        partner.clear();
        backup.clear();
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

        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1 && partner.transactions().size() == 1);
        assertThat(upstream.transactions().get(0).recipients()).containsExactly("bob@remote.example", "dave@remote.example");
        assertThat(partner.transactions().get(0).recipients()).containsExactly("carol@partner.example");
        assertThat(upstream.transactions().get(0).sender()).isEqualTo("alice@lan.example");
        assertThat(partner.transactions().get(0).message().getSubject()).isEqualTo("split");
        assertThat(backup.transactions()).isEmpty();
    }

    private List<String> engineLines(String recipient) {
        List<ILoggingEvent> events;
        synchronized (ENGINE_LOG) {
            // The appender adds under its own lock.
            events = ImmutableList.copyOf(ENGINE_LOG.list);
        }
        return events.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains(recipient))
            .collect(ImmutableList.toImmutableList());
    }

    @Test
    void aHopWithTheFirstAttemptInlineShouldDeliverWithoutItsQueueAndAQueueHopThroughIt() throws Exception {
        send("alice@lan.example", ImmutableList.of("gina@remote.example", "hank@partner.example"), "inline and queued");

        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1 && partner.transactions().size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> engineLines("hank@partner.example").stream().anyMatch(line -> line.contains("status=sent")));
        assertThat(engineLines("gina@remote.example"))
            .anySatisfy(line -> assertThat(line).contains("to=<gina@remote.example>, hop=upstream,").contains("status=sent"))
            .noneSatisfy(line -> assertThat(line).contains("queued as"));
        assertThat(engineLines("hank@partner.example"))
            .anySatisfy(line -> assertThat(line).contains("queued as").contains("to next hop partner"))
            .anySatisfy(line -> assertThat(line).contains("to=<hank@partner.example>, hop=partner,").contains("status=sent"));
        assertThat(upstream.transactions().get(0).recipients()).containsExactly("gina@remote.example");
        assertThat(partner.transactions().get(0).recipients()).containsExactly("hank@partner.example");
    }

    @Test
    void aRejectedRecipientShouldGetADsnWrittenByDsnBounceAndTheOthersTheirMail() throws Exception {
        send("alice@lan.example", ImmutableList.of("bob@remote.example", "unknown@remote.example"), "half rejected");

        // The DSN to alice is itself relayed by the default route, from the null sender.
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 2);
        assertThat(upstream.transactions().get(0).recipients()).containsExactly("bob@remote.example");
        SmtpPeer.Transaction dsn = upstream.transactions().get(1);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly("alice@lan.example");
        assertThat(dsn.content())
            .contains("multipart/report")
            .contains("Final-Recipient: rfc822; unknown@remote.example")
            .contains("Diagnostic-Code: smtp; 550")
            .doesNotContain("Final-Recipient: rfc822; bob@remote.example");
    }

    @Test
    void recipientsOfAHopThatIsDownShouldGoThroughItsFallbackAtOnce() throws Exception {
        send("alice@lan.example", ImmutableList.of("erin@flaky.example"), "fallback");

        await().atMost(Duration.ofSeconds(30)).until(() -> backup.transactions().size() == 1);
        assertThat(backup.transactions().get(0).recipients()).containsExactly("erin@flaky.example");
        assertThat(upstream.transactions()).isEmpty();
    }

    @Test
    void recipientsOfAHopThatIsDownShouldBeRetriedUntilItComesUp() throws Exception {
        send("alice@lan.example", ImmutableList.of("frank@later.example"), "retried");
        await().atMost(Duration.ofSeconds(30)).until(() -> ENGINE_LOG.list.stream()
            .anyMatch(event -> event.getFormattedMessage().contains("to=<frank@later.example>, hop=later,")
                && event.getFormattedMessage().contains("status=deferred")));

        try (SmtpPeer later = SmtpPeer.builder().start(laterPort)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> later.transactions().size() == 1);
            assertThat(later.transactions().get(0).recipients()).containsExactly("frank@later.example");
        }
        assertThat(upstream.transactions()).isEmpty();
    }

    @Test
    void matchersAndSmtpHooksShouldGetTheEngineOfTheMailets() {
        // Only mailets start the engine, and only one engine started (see below).
        assertThat(EngineProbe.SEEN).containsOnlyKeys("hook", "matcher");
        assertThat(EngineProbe.SEEN.get("hook")).isSameAs(EngineProbe.SEEN.get("matcher"));
        assertThat(EngineProbe.SEEN.get("hook").isStarted()).isTrue();
    }

    @Test
    void twoSmarthostMailetsShouldShareOneEngine() {
        assertThat(ENGINE_LOG.list)
            .filteredOn(event -> event.getFormattedMessage().startsWith("Delivering from queue relaypack-upstream "))
            .hasSize(1);
    }
}
