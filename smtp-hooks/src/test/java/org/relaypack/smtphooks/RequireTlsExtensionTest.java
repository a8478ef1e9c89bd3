package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.ProtocolServer;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relaypack.testing.SmtpTestClient;
import org.relaypack.tls.TlsRequirement;

/**
 * SMTP transcripts over real sockets and real STARTTLS against a protocols-smtp server whose chain
 * is [the extension, a message hook that hands each mail to the extension as James's
 * JamesMessageHook handler would], then James's core handlers.
 */
class RequireTlsExtensionTest {
    @TempDir
    static Path folder;
    static ProtocolServer server;
    static InetSocketAddress address;
    static final List<Mail> received = new CopyOnWriteArrayList<>();

    /** Hands each accepted message to the extension as a James Mail, as James's JamesMessageHook handler does. */
    static final class MailRecorder implements MessageHook {
        private final RequireTlsExtension extension;

        MailRecorder(RequireTlsExtension extension) {
            this.extension = extension;
        }

        @Override
        public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
            try {
                Mail mail = MailImpl.builder().name("mail" + received.size()).build();
                extension.onMessage(session, mail);
                received.add(mail);
                return HookResult.OK;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static ProtocolServer startServer(List<ProtocolHandler> handlers) throws Exception {
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(new RecordingMetricFactory());
        chain.addAll(0, handlers);
        chain.wireExtensibleHandlers();
        NettyServer netty = new NettyServer.Factory()
            .protocol(new SMTPProtocol(chain, new SMTPConfigurationImpl()))
            .secure(Encryption.createStartTls(SelfSignedTls.serverContext(folder)))
            .build();
        netty.setListenAddresses(new InetSocketAddress("127.0.0.1", 0));
        netty.bind();
        return netty;
    }

    @BeforeAll
    static void start() throws Exception {
        RequireTlsExtension testee = new RequireTlsExtension();
        server = startServer(List.of(testee, new MailRecorder(testee)));
        address = server.getListenAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        server.unbind();
    }

    SmtpTestClient client;

    @BeforeEach
    void connect() throws Exception {
        received.clear();
        client = SmtpTestClient.plain(address.getPort());
        assertThat(client.greeting().transcript()).startsWith("220");
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    @Test
    void ehloInCleartextShouldNotAdvertiseRequireTls() throws Exception {
        assertThat(client.command("EHLO client.example.org").transcript()).contains("STARTTLS").doesNotContain("REQUIRETLS");
    }

    @Test
    void requireTlsInCleartextShouldBeRefusedWith530() throws Exception {
        client.command("EHLO client.example.org").transcript();

        assertThat(client.command("MAIL FROM:<alice@example.org> REQUIRETLS").transcript()).isEqualTo("530 5.7.10 REQUIRETLS needs a TLS session");
        assertThat(client.command("RCPT TO:<bob@example.com>").transcript()).startsWith("503");
    }

    @Test
    void ehloOverTlsShouldAdvertiseRequireTls() throws Exception {
        startTls();

        assertThat(client.command("EHLO client.example.org").transcript()).contains("250-REQUIRETLS");
    }

    /** The MAIL command as sent, and the TLS requirement the received mail carries. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "MAIL FROM:<alice@example.org> REQUIRETLS,            REQUIRETLS",
        "MAIL FROM:<alice@example.org> SIZE=100 requiretls,   REQUIRETLS",
        "MAIL FROM:<alice@example.org>,                       DEFAULT"})
    void requireTlsOverTlsShouldBeAcceptedInAnyCaseAndCarriedByTheMailAndOnlyThen(String mail, TlsRequirement requirement) throws Exception {
        startTlsAndEhlo();

        assertThat(client.command(mail).transcript()).isEqualTo("250 2.1.0 Sender <alice@example.org> OK");
        sendMessage();

        assertThat(received).hasSize(1);
        assertThat(TlsRequirement.of(received.get(0))).isEqualTo(requirement);
    }

    @Test
    void requireTlsWithAValueShouldBeRefusedWith555() throws Exception {
        startTlsAndEhlo();

        assertThat(client.command("MAIL FROM:<alice@example.org> REQUIRETLS=YES").transcript()).isEqualTo("555 5.5.4 REQUIRETLS takes no value");
    }

    @Test
    void rsetShouldEndTheRequirementWithItsTransaction() throws Exception {
        startTlsAndEhlo();
        client.command("MAIL FROM:<alice@example.org> REQUIRETLS").transcript();
        assertThat(client.command("RSET").transcript()).startsWith("250");

        assertTheNextMailIsNotMarked();
    }

    @Test
    void aRequirementShouldNotOutliveTheSenderJamesDropsOnASecondMailCommand() throws Exception {
        startTlsAndEhlo();
        client.command("MAIL FROM:<alice@example.org> REQUIRETLS").transcript();

        // James 3.8.1 answers a second MAIL with 503 and forgets the first sender
        assertThat(client.command("MAIL FROM:<alice@example.org>").transcript()).startsWith("503");
        assertThat(client.command("RCPT TO:<bob@example.com>").transcript()).startsWith("503");
        assertTheNextMailIsNotMarked();
    }

    /** EHLO, then STARTTLS and the handshake; the caller sends the EHLO of the TLS session. */
    private void startTls() throws Exception {
        client.ehlo("client.example.org");
        assertThat(client.startTls().code()).isEqualTo(220);
    }

    /** A MAIL without the parameter now starts a transaction whose mail carries no requirement. */
    private void assertTheNextMailIsNotMarked() throws Exception {
        assertThat(client.command("MAIL FROM:<alice@example.org>").transcript()).startsWith("250 ");
        sendMessage();

        assertThat(TlsRequirement.of(received.get(0))).isEqualTo(TlsRequirement.DEFAULT);
    }

    private void startTlsAndEhlo() throws Exception {
        startTls();
        client.command("EHLO client.example.org").transcript();
    }

    private void sendMessage() throws Exception {
        assertThat(client.command("RCPT TO:<bob@example.com>").transcript()).startsWith("250");
        assertThat(client.command("DATA").transcript()).startsWith("354");
        assertThat(client.command("Subject: secret\r\n\r\nhello\r\n.").transcript()).startsWith("250");
    }

    /** What James 3.8.1 does without the extension: the probe this component is built on. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithoutTheExtension {
        ProtocolServer plainJames;

        @BeforeAll
        void start() throws Exception {
            plainJames = startServer(List.of());
        }

        @AfterAll
        void stop() {
            plainJames.unbind();
        }

        @Test
        void jamesShouldAcceptAndDropAnUnknownMailParameterEvenInCleartext() throws Exception {
            try (SmtpTestClient james = SmtpTestClient.plain(plainJames.getListenAddresses().get(0).getPort())) {
                james.greeting();
                assertThat(james.command("EHLO client.example.org").transcript()).doesNotContain("REQUIRETLS");

                assertThat(james.command("MAIL FROM:<alice@example.org> REQUIRETLS").transcript()).startsWith("250 ");
            }
        }
    }

    @Nested
    class Configuration {
        @Test
        void initShouldAcceptTheHandlerElementWithoutParameters() throws Exception {
            BaseConfiguration config = new BaseConfiguration();
            config.addProperty("[@class]", RequireTlsExtension.class.getName());

            new RequireTlsExtension().init(config);
        }

        @Test
        void initShouldRejectAnyParameterNamingIt() {
            BaseConfiguration config = new BaseConfiguration();
            config.addProperty("[@class]", RequireTlsExtension.class.getName());
            config.addProperty("advertise", "always");

            assertThatThrownBy(() -> new RequireTlsExtension().init(config))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("RequireTlsExtension: unknown parameter advertise='always' (allowed: none)");
        }
    }

    @Nested
    class ParameterParsing {
        @Test
        void parametersShouldBeReadAfterTheAddressOnly() {
            assertThat(RequireTlsExtension.requireTlsParameter("FROM:<requiretls@example.org>")).isEmpty();
            assertThat(RequireTlsExtension.requireTlsParameter("FROM:<a@example.org> BODY=8BITMIME RequireTLS")).contains("RequireTLS");
            assertThat(RequireTlsExtension.requireTlsParameter("FROM:<> REQUIRETLS=x")).contains("REQUIRETLS=x");
            assertThat(RequireTlsExtension.requireTlsParameter("FROM:<a@example.org> REQUIRETLSX")).isEmpty();
            assertThat(RequireTlsExtension.requireTlsParameter(null)).isEmpty();
        }
    }
}
