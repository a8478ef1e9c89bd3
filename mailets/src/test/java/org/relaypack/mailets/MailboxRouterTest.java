package org.relaypack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.relaypack.routing.ExampleUsers.ALICE;
import static org.relaypack.routing.ExampleUsers.BOB;
import static org.relaypack.routing.ExampleUsers.CAROL;
import static org.relaypack.routing.ExampleUsers.DOMAIN;
import static org.relaypack.routing.ExampleUsers.MALLORY;
import static org.relaypack.testing.Addresses.address;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.DeliveryResult;
import org.relaypack.delivery.HopTransport;
import org.relaypack.delivery.HostSpec;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.delivery.RecipientOutcome;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.collect.ImmutableList;
import org.relaypack.routing.Route;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.SwitchableRouteSource;
import org.relaypack.testing.TestResources;

class MailboxRouterTest {

    static final MailAddress SENDER = address("sender@internet.example.org");
    static final MailAddress CAROL_MAILBOX = address("carol@mbox2.example.net");
    static final MailAddress GHOST_HOP_USER = address("ghost@example.com");
    static final MailAddress LOOP_USER = address("loop@example.com");

    /** One delivery the engine handed to the transport. */
    static final class Delivery {
        final String hop;
        final List<MailAddress> recipients;
        final Optional<DsnParameters> dsnParameters;

        Delivery(String hop, List<MailAddress> recipients, Optional<DsnParameters> dsnParameters) {
            this.hop = hop;
            this.recipients = recipients;
            this.dsnParameters = dsnParameters;
        }
    }

    /** Accepts every recipient and remembers what went where. */
    static final class RecordingTransport implements HopTransport {
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

        @Override
        public DeliveryResult deliver(NextHop hop, Mail mail) {
            deliveries.add(new Delivery(hop.name(), ImmutableList.copyOf(mail.getRecipients()), mail.dsnParameters()));
            return DeliveryResult.of(mail.getRecipients().stream()
                    .map(recipient -> RecipientOutcome.delivered(recipient, SmtpReply.of(250, "2.0.0 OK")))
                    .collect(ImmutableList.toImmutableList()),
                Optional.of(hop.name() + ":25"), Optional.empty(), Optional.empty());
        }

        List<Delivery> to(String hop) {
            return deliveries.stream().filter(delivery -> delivery.hop.equals(hop)).collect(ImmutableList.toImmutableList());
        }

        @Override
        public void close() {
        }
    }

    /** alice, bob: server1; carol: server2 as carol@mbox2; ghost: an undefined hop; loop: a hop that is this relay. */
    static SwitchableRouteSource directory() {
        return SwitchableRouteSource.named("test")
            .route(ALICE, Route.to("server1"))
            .route(BOB, Route.to("server1"))
            .route(CAROL, Route.to("server2", CAROL_MAILBOX))
            .route(GHOST_HOP_USER, Route.to("server7"))
            .route(LOOP_USER, Route.to("server9"));
    }

    @RegisterExtension
    final TestResources resources = TestResources.perTest();
    RecordingTransport transport;
    SwitchableRouteSource source;
    FakeMailContext mailetContext;
    DeliveryEngine engine;
    MemoryMailQueueFactory queueFactory;
    MailboxRouter testee;

    @BeforeEach
    void setUp() {
        transport = new RecordingTransport();
        source = directory();
        mailetContext = FakeMailContext.defaultContext();
        queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
        engine = new DeliveryEngine(queueFactory, new RecordingMetricFactory(), transport, mailetContext, NextHopsConfiguration.of(
            NextHop.builder("server1").host(HostSpec.literal("mbox1.example.net", 25)).build(),
            NextHop.builder("server2").host(HostSpec.literal("mbox2.example.net", 25)).build(),
            NextHop.builder("server9").host(HostSpec.literal("mx1.example.com", 25)).build()));
        engine.start();
        resources.add(engine::stop);
    }

    MailboxRouter init(FakeMailetConfig.Builder config) throws MessagingException {
        RouteDirectory directory = RouteDirectory.of(List.of(DOMAIN), List.of("mx1.example.com"), List.of(source),
            new RecordingMetricFactory());
        MailboxRouter mailet = new MailboxRouter(engine, directory, queueFactory);
        mailet.init(config.mailetName("MailboxRouter").mailetContext(mailetContext).build());
        resources.add(mailet::destroy);
        testee = mailet;
        return mailet;
    }

    MailboxRouter init() throws MessagingException {
        return init(FakeMailetConfig.builder().setProperty("retryDelay", "100ms"));
    }

    static Mail mail(MailAddress... recipients) throws MessagingException {
        return FakeMail.builder()
            .name("mail1")
            .sender(MaybeSender.of(SENDER))
            .recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("routed").setText("body"))
            .build();
    }

    @Test
    void eachMailboxServerShouldGetOneCopyWithExactlyItsRecipientsRewritesApplied() throws Exception {
        Mail mail = mail(ALICE, CAROL, BOB);

        init().service(mail);

        await().atMost(Duration.ofSeconds(10)).until(() -> transport.deliveries.size() == 2);
        assertThat(transport.to("server1")).singleElement().satisfies(delivery -> assertThat(delivery.recipients).containsExactly(ALICE, BOB));
        assertThat(transport.to("server2")).singleElement().satisfies(delivery -> assertThat(delivery.recipients).containsExactly(CAROL_MAILBOX));
        assertThat(transport.to("server9")).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void aRewrittenRecipientShouldReachItsHopWithItsNotifyAndTheOriginalAsOrcpt() throws Exception {
        Mail mail = mail(ALICE, CAROL);
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(ALICE, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.DELAY)))
            .addRcptParameter(CAROL, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
            .build().orElseThrow());

        init().service(mail);

        await().atMost(Duration.ofSeconds(10)).until(() -> transport.deliveries.size() == 2);
        assertThat(transport.to("server2")).singleElement().satisfies(delivery -> assertThat(delivery.dsnParameters.orElseThrow()
            .getRcptParameters().get(CAROL_MAILBOX))
            .isEqualTo(DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER), CAROL)));
        assertThat(transport.to("server1")).singleElement().satisfies(delivery -> assertThat(delivery.dsnParameters.orElseThrow()
            .getRcptParameters().get(ALICE))
            .isEqualTo(DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.DELAY))));
    }

    @Test
    void aRecipientWithoutRouteShouldBeBouncedAndTheOthersRouted() throws Exception {
        init().service(mail(ALICE, MALLORY));

        await().atMost(Duration.ofSeconds(10)).until(() -> transport.deliveries.size() == 1);
        assertThat(transport.to("server1").get(0).recipients).containsExactly(ALICE);
        assertThat(mailetContext.getSentMails()).singleElement().satisfies(sent -> {
            assertThat(sent.getState()).isEqualTo("bounces");
            assertThat(sent.getRecipients()).containsExactly(MALLORY);
        });
    }

    @Nested
    class Deferral {
        @Test
        void aDirectoryFailureShouldRouteNothingAndSendTheWholeMailBackLater() throws Exception {
            init();
            source.down(true);
            Mail mail = mail(ALICE, CAROL);

            testee.service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            await().atMost(Duration.ofSeconds(10)).until(() -> mailetContext.getSentMails().size() == 1);
            assertThat(mailetContext.getSentMails().get(0).getState()).isEqualTo("transport");
            assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(ALICE, CAROL);
            assertThat(mailetContext.getSentMails().get(0).getAttributes().get(MailboxRouter.RETRIES).getValue().value()).isEqualTo(1);
            assertThat(transport.deliveries).isEmpty();
        }

        @Test
        void aFailureForOneRecipientShouldHoldTheOthersToo() throws Exception {
            init();
            source.failFor(BOB);

            testee.service(mail(ALICE, BOB, CAROL));

            await().atMost(Duration.ofSeconds(10)).until(() -> mailetContext.getSentMails().size() == 1);
            assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(ALICE, BOB, CAROL);
            assertThat(transport.deliveries).isEmpty();
        }

        @Test
        void anUndefinedNextHopShouldDeferTheMail() throws Exception {
            init().service(mail(ALICE, GHOST_HOP_USER));

            await().atMost(Duration.ofSeconds(10)).until(() -> mailetContext.getSentMails().size() == 1);
            assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(ALICE, GHOST_HOP_USER);
            assertThat(transport.deliveries).isEmpty();
        }

        @Test
        void aNextHopThatIsThisRelayShouldDeferTheMail() throws Exception {
            init().service(mail(LOOP_USER));

            await().atMost(Duration.ofSeconds(10)).until(() -> mailetContext.getSentMails().size() == 1);
            assertThat(transport.deliveries).isEmpty();
        }

        @Test
        void theLastRetryShouldThrowSoThatJamesKeepsTheMail() throws Exception {
            init(FakeMailetConfig.builder().setProperty("retryDelay", "100ms").setProperty("maxRetries", "2"));
            source.down(true);
            Mail mail = mail(ALICE);
            mail.setAttribute(new org.apache.mailet.Attribute(MailboxRouter.RETRIES, org.apache.mailet.AttributeValue.of(2)));

            assertThatThrownBy(() -> testee.service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("not routed after 2 retries")
                .hasMessageContaining("LDAP: connect error");
            assertThat(transport.deliveries).isEmpty();
        }

        @Test
        void aDeferredMailShouldBeRoutedOnceTheDirectoryIsBack() throws Exception {
            init();
            source.down(true);
            testee.service(mail(ALICE));
            await().atMost(Duration.ofSeconds(10)).until(() -> mailetContext.getSentMails().size() == 1);
            source.down(false);

            Mail back = FakeMail.builder().name("mail1")
                .sender(SENDER)
                .recipients(ImmutableList.copyOf(mailetContext.getSentMails().get(0).getRecipients()))
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("routed").setText("body"))
                .build();
            testee.service(back);

            await().atMost(Duration.ofSeconds(10)).until(() -> transport.deliveries.size() == 1);
            assertThat(transport.to("server1").get(0).recipients).containsExactly(ALICE);
        }
    }

    @Nested
    class Configuration {
        @Test
        void defaultsShouldBounceToBouncesAndRetryIntoTransport() throws Exception {
            MailboxRouter mailet = init(FakeMailetConfig.builder());

            assertThat(mailet.requiredProcessingState()).extracting(state -> state.getValue()).containsExactly("bounces", "transport");
        }

        @Test
        void initShouldRejectAnUnknownParameter() {
            assertThatThrownBy(() -> init(FakeMailetConfig.builder().setProperty("retrydelay", "1m")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("retrydelay");
        }

        @Test
        void initShouldRejectABadRetryDelay() {
            assertThatThrownBy(() -> init(FakeMailetConfig.builder().setProperty("retryDelay", "soon")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("MailboxRouter")
                .hasMessageContaining("retryDelay")
                .hasMessageContaining("'soon'");
        }

        @Test
        void initShouldRejectABadMaxRetries() {
            assertThatThrownBy(() -> init(FakeMailetConfig.builder().setProperty("maxRetries", "-1")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("maxRetries")
                .hasMessageContaining("'-1'");
        }

        @Test
        void initShouldRejectBothBounceAndErrorProcessors() {
            assertThatThrownBy(() -> init(FakeMailetConfig.builder().setProperty("bounceProcessor", "bounces").setProperty("errorProcessor", "error")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("not both");
        }
    }
}
