package org.relaypack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.relaypack.delivery.DeliveryAttributes;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.HopScheduling;
import org.relaypack.delivery.HostSpec;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.delivery.RetryPolicy;
import org.relaypack.delivery.ScriptedTransport;

import com.google.common.collect.ImmutableList;
import org.relaypack.smarthost.SmarthostRoutes;
import org.relaypack.testing.TestResources;

class SmarthostDeliveryTest {
    private static final String UPSTREAM = "upstream";
    private static final String PARTNER = "partner";
    private static final String DEPT_RELAY = "dept-relay";
    private static final String ROUTES = "<smarthost>"
        + "  <route recipient=\"@partner.example\" nexthop=\"partner\"/>"
        + "  <route recipient=\"ceo@partner.example\" nexthop=\"upstream\"/>"
        + "  <route sender=\"@dept.example\" nexthop=\"dept-relay\"/>"
        + "  <route sender=\"boss@dept.example\" nexthop=\"upstream\"/>"
        + "  <default nexthop=\"upstream\"/>"
        + "</smarthost>";

    private static final MailAddress ALICE = address("alice@lan.example");
    private static final MailAddress DEPT_USER = address("user@dept.example");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress PARTNER_USER = address("user@partner.example");
    private static final MailAddress PARTNER_CEO = address("ceo@partner.example");

    private static NextHop hop(String name) {
        return NextHop.builder(name).host(HostSpec.literal(name + ".example", 25))
            .scheduling(HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofMillis(1)), 2), 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))
            .build();
    }

    @RegisterExtension
    final TestResources resources = TestResources.perTest();
    private ScriptedTransport transport;
    private FakeMailContext mailetContext;
    private DeliveryEngine engine;
    private SmarthostDelivery testee;

    @BeforeEach
    void setUp() {
        transport = new ScriptedTransport();
        mailetContext = FakeMailContext.defaultContext();
        engine = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), new RecordingMetricFactory(),
            transport, mailetContext, NextHopsConfiguration.of(hop(UPSTREAM), hop(PARTNER), hop(DEPT_RELAY)));
        engine.start();
        resources.add(engine::stop);
    }

    private SmarthostDelivery init(String relaypackXml, FakeMailetConfig.Builder config) throws Exception {
        SmarthostDelivery mailet = new SmarthostDelivery(engine, SmarthostRoutes.from(relaypackXml(relaypackXml), engine.configuration()));
        mailet.init(config.mailetName("SmarthostDelivery").mailetContext(mailetContext).build());
        resources.add(mailet::destroy);
        return mailet;
    }

    private SmarthostDelivery init(String relaypackXml) throws Exception {
        return init(relaypackXml, FakeMailetConfig.builder());
    }

    private Mail mail(MaybeSender sender, MailAddress... recipients) throws MessagingException {
        return FakeMail.builder()
            .name("mail1")
            .sender(sender)
            .recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"))
            .build();
    }

    private Mail mail(MailAddress sender, MailAddress... recipients) throws MessagingException {
        return mail(MaybeSender.of(sender), recipients);
    }

    private void awaitAttempts(int count) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.attempts()).hasSize(count));
    }

    @Nested
    class Routing {
        @BeforeEach
        void setUp() throws Exception {
            testee = init(ROUTES);
        }

        /** Sender, recipient, the hop that gets the mail, and one that must not: the routes of ROUTES, most specific first. */
        @ParameterizedTest(name = "from {0} to {1}: {2}, not {3}")
        @CsvSource({
            "alice@lan.example, user@partner.example, partner,    upstream",   // the recipient's domain route over the default
            "alice@lan.example, ceo@partner.example,  upstream,   partner",    // the recipient's address route over its domain route
            "user@dept.example, bob@remote.example,   dept-relay, upstream",   // the sender's domain route over the default
            "Boss@Dept.example, bob@remote.example,   upstream,   dept-relay", // the sender's address route, whatever the case
            "user@dept.example, user@partner.example, partner,    dept-relay", // a recipient route over a sender route
            "alice@lan.example, bob@remote.example,   upstream,   partner"})   // the default for the rest
        void serviceShouldSendToTheHopOfTheMostSpecificRoute(String sender, String recipient, String hop, String notHop) throws Exception {
            testee.service(mail(address(sender), address(recipient)));

            awaitAttempts(1);
            assertThat(transport.attemptsAt(hop)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(address(recipient)));
            assertThat(transport.attemptsAt(notHop)).isEmpty();
        }

        @Test
        void nullSenderShouldBeRoutedByRecipient() throws Exception {
            testee.service(mail(MaybeSender.nullSender(), PARTNER_USER, BOB));

            awaitAttempts(2);
            assertThat(transport.attemptsAt(PARTNER)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(PARTNER_USER));
            assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(BOB));
        }

        @Test
        void serviceShouldSplitTheMailIntoOneCopyPerHopWithExactlyItsRecipients() throws Exception {
            Mail mail = mail(DEPT_USER, PARTNER_USER, BOB, PARTNER_CEO, address("carol@remote.example"));

            testee.service(mail);

            awaitAttempts(3);
            assertThat(transport.attemptsAt(PARTNER)).extracting(ScriptedTransport.Attempt::recipients)
                .containsExactly(List.of(PARTNER_USER));
            assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients)
                .containsExactly(List.of(PARTNER_CEO));
            assertThat(transport.attemptsAt(DEPT_RELAY)).extracting(ScriptedTransport.Attempt::recipients)
                .containsExactly(List.of(BOB, address("carol@remote.example")));
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(mailetContext.getSentMails()).isEmpty();
        }

        @Test
        void copiesShouldNotGrowTheLoopCounterOfJamesMailNames() throws Exception {
            // Seven "-!" suffixes: one more and James refuses to copy the mail ("Possible loop in config"),
            // which its memory queue does on every enqueue.
            String name = "mail1-!1000001-!1000002-!1000003-!1000004-!1000005-!1000006-!1000007";
            Mail mail = FakeMail.builder().name(name).sender(ALICE).recipients(BOB, PARTNER_USER)
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body")).build();

            testee.service(mail);

            awaitAttempts(2);
            assertThat(transport.attempts()).extracting(ScriptedTransport.Attempt::mailName)
                .allSatisfy(copyName -> assertThat(copyName).startsWith(name + "-").doesNotContain(name + "-!"));
        }

        @Test
        void failuresShouldBeBouncedToTheDefaultBounceProcessor() throws Exception {
            transport.then(UPSTREAM, ScriptedTransport.replying(ScriptedTransport.UNKNOWN_USER, BOB));

            testee.service(mail(ALICE, BOB));

            await().untilAsserted(() -> assertThat(mailetContext.getSentMails()).hasSize(1));
            assertThat(mailetContext.getSentMails().get(0).getState()).isEqualTo("bounces");
            assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(BOB);
        }

        @Test
        void requiredProcessingStateShouldBeTheBounceProcessor() {
            assertThat(testee.requiredProcessingState()).containsExactly(new ProcessingState("bounces"));
        }
    }

    @Nested
    class WithoutDefault {
        private static final String NO_DEFAULT = "<smarthost><route recipient=\"@partner.example\" nexthop=\"partner\"/></smarthost>";

        @Test
        void recipientWithoutRouteShouldBeBouncedAndTheOthersStillDelivered() throws Exception {
            testee = init(NO_DEFAULT);

            testee.service(mail(ALICE, PARTNER_USER, BOB));

            awaitAttempts(1);
            assertThat(transport.attemptsAt(PARTNER)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(PARTNER_USER));
            assertThat(mailetContext.getSentMails()).hasSize(1);
            FakeMailContext.SentMail bounce = mailetContext.getSentMails().get(0);
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(BOB);
            assertThat(bounce.getAttributes().get(DeliveryAttributes.DELIVERY_ERROR))
                .isEqualTo(new Attribute(DeliveryAttributes.DELIVERY_ERROR, AttributeValue.of(SmarthostDelivery.NO_ROUTE.asString())));
        }

        @Test
        void recipientWithoutRouteShouldGoToTheErrorProcessorWhenConfigured() throws Exception {
            testee = init(NO_DEFAULT, FakeMailetConfig.builder().setProperty("errorProcessor", "relay-error"));

            testee.service(mail(MaybeSender.nullSender(), BOB));

            assertThat(mailetContext.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("relay-error");
            assertThat(testee.requiredProcessingState()).containsExactly(new ProcessingState("relay-error"));
        }

        @Test
        void bounceProcessorShouldBeConfigurable() throws Exception {
            testee = init(NO_DEFAULT, FakeMailetConfig.builder().setProperty("bounceProcessor", "relay-bounces"));

            testee.service(mail(ALICE, BOB));

            assertThat(mailetContext.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("relay-bounces");
        }
    }

    /** The test's engine replaced by one whose queue of the partner hop refuses every mail. */
    private void useEngineFailingToQueueForPartner(HopScheduling.FirstAttempt firstAttempt) {
        engine.stop();
        engine = engineFailingToQueueForPartner(firstAttempt);
        engine.start();
        resources.add(engine::stop);
    }

    private DeliveryEngine engineFailingToQueueForPartner(HopScheduling.FirstAttempt firstAttempt) {
        MemoryMailQueueFactory memory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        MailQueueFactory<?> failingForPartner = (MailQueueFactory<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailQueueFactory.class}, (proxy, method, args) -> {
                Object result = method.invoke(memory, args);
                if (method.getName().equals("createQueue") && ((MailQueue) result).getName().asString().equals("relaypack-partner")) {
                    return failingEnqueues((MailQueue) result);
                }
                return result;
            });
        return new DeliveryEngine(failingForPartner, new RecordingMetricFactory(), transport, mailetContext,
            NextHopsConfiguration.of(firstAttempt(hop(UPSTREAM), firstAttempt), firstAttempt(hop(PARTNER), firstAttempt),
                firstAttempt(hop(DEPT_RELAY), firstAttempt)));
    }

    private static NextHop firstAttempt(NextHop hop, HopScheduling.FirstAttempt firstAttempt) {
        return hop.withScheduling(hop.scheduling().withFirstAttempt(firstAttempt));
    }

    @Test
    void queueFailureShouldLeaveOnlyTheRecipientsNotQueuedOnTheMail() throws Exception {
        useEngineFailingToQueueForPartner(HopScheduling.FirstAttempt.QUEUE);
        testee = init(ROUTES);
        Mail mail = mail(ALICE, BOB, PARTNER_USER);

        assertThatThrownBy(() -> testee.service(mail)).isInstanceOf(MessagingException.class);

        assertThat(mail.getRecipients()).containsExactly(PARTNER_USER);
        awaitAttempts(1);
        assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(BOB));
    }

    @Test
    void retryThatCannotBeQueuedAfterAnInlineAttemptShouldStayOnTheMailAlone() throws Exception {
        useEngineFailingToQueueForPartner(HopScheduling.FirstAttempt.INLINE);
        transport.then(PARTNER, ScriptedTransport.failAllTemporarily());
        testee = init(ROUTES);
        Mail mail = mail(ALICE, BOB, PARTNER_USER);

        assertThatThrownBy(() -> testee.service(mail)).isInstanceOf(MessagingException.class)
            .hasMessageContainingAll("could not queue the retry", "user@partner.example", "partner");

        // BOB went upstream inline; the partner took nothing: its recipient stays on the mail for James's error processor.
        assertThat(mail.getRecipients()).containsExactly(PARTNER_USER);
        assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(BOB));
        assertThat(transport.attemptsAt(PARTNER)).extracting(ScriptedTransport.Attempt::recipients).containsExactly(List.of(PARTNER_USER));
    }

    private static MailQueue failingEnqueues(MailQueue queue) {
        return (MailQueue) Proxy.newProxyInstance(SmarthostDeliveryTest.class.getClassLoader(), new Class<?>[] {MailQueue.class},
            (proxy, method, args) -> {
                if (method.getName().equals("enQueue")) {
                    throw new MailQueue.MailQueueException("queue unavailable");
                }
                return method.invoke(queue, args);
            });
    }

    @Nested
    class ConfigurationErrors {
        @Test
        void unknownParameterShouldFail() {
            assertThatThrownBy(() -> init(ROUTES, FakeMailetConfig.builder().setProperty("bounceprocessor", "bounces")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("bounceprocessor");
        }

        @Test
        void bothProcessorsShouldFail() {
            assertThatThrownBy(() -> init(ROUTES, FakeMailetConfig.builder()
                .setProperty("bounceProcessor", "bounces").setProperty("errorProcessor", "error")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContainingAll("SmarthostDelivery", "bounceProcessor", "errorProcessor", "not both");
        }

        @Test
        void emptyProcessorShouldFail() {
            assertThatThrownBy(() -> init(ROUTES, FakeMailetConfig.builder().setProperty("bounceProcessor", " ")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContainingAll("SmarthostDelivery", "bounceProcessor", "empty");
        }

        @ParameterizedTest(name = "relaypack.xml [{0}]")
        @MethodSource("org.relaypack.mailets.SmarthostDeliveryTest#relaypackXmlErrors")
        void aWrongSmarthostSectionShouldFailNamingTheElementAndValue(String smarthost, List<String> message) {
            assertThatThrownBy(() -> init(smarthost))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll(message.toArray(String[]::new));
        }
    }

    static Stream<Arguments> relaypackXmlErrors() {
        return Stream.of(
            Arguments.of("", List.of("relaypack.xml", "no <smarthost> section")),
            Arguments.of("<smarthost><route recipient=\"@partner.example\" nexthop=\"partners\"/></smarthost>",
                List.of("<route>", "nexthop", "'partners'", "upstream, partner, dept-relay")),
            Arguments.of("<smarthost><default nexthop=\"nowhere\"/></smarthost>", List.of("<default>", "nexthop", "'nowhere'")),
            Arguments.of("<smarthost><route recipient=\"@a.example\" sender=\"@b.example\" nexthop=\"upstream\"/></smarthost>",
                List.of("<route>", "exactly one of")),
            Arguments.of("<smarthost><route sender=\"not an address\" nexthop=\"upstream\"/></smarthost>",
                List.of("<route>", "sender", "'not an address'")),
            Arguments.of("<smarthost><route recipient=\"@a.example\" nexthop=\"upstream\"/><route recipient=\"@A.example\" nexthop=\"partner\"/></smarthost>",
                List.of("recipient", "'@A.example'", "has a route already")),
            Arguments.of("<smarthost><route recipientDomain=\"a.example\" nexthop=\"upstream\"/></smarthost>",
                List.of("<route>", "unknown attribute recipientDomain='a.example'")),
            Arguments.of("<smarthost><relayhost>x</relayhost></smarthost>", List.of("<smarthost>", "unknown element <relayhost>")),
            Arguments.of("<smarthost><default nexthop=\"upstream\"/><default nexthop=\"partner\"/></smarthost>",
                List.of("<smarthost>", "<default> is given 2 times")),
            Arguments.of("<smarthost/>", List.of("<smarthost>", "no <route> and no <default>")));
    }
}
