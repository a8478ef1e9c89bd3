package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.ProtocolServer;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.core.fastfail.MaxRcptHandler;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.AuthRequiredToRelayRcptHook;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.routing.FileRouteSource;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.SwitchableRouteSource;
import org.relaypack.testing.SmtpTestClient;

/**
 * SMTP transcripts against a protocols-smtp server whose chain is [the hook, James's MaxRcptHandler
 * (3), the relay rule of {@link RoutingCoreCmdHandlerLoader}], as James orders a handler chain: the
 * handlers of smtpserver.xml, then the core ones.
 */
class RoutingRcptHookTest {
    /** James's domain list, with no local domain. */
    static DomainList noLocalDomain() {
        return (DomainList) Proxy.newProxyInstance(DomainList.class.getClassLoader(), new Class<?>[] {DomainList.class},
            (proxy, method, args) -> {
                if (method.getName().equals("containsDomain")) {
                    return false;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    @TempDir
    static Path folder;
    static FileRouteSource file;
    static SwitchableRouteSource ldap;
    static ProtocolServer server;
    static InetSocketAddress address;

    @BeforeAll
    static void startServer() throws Exception {
        Path routes = folder.resolve("routes.txt");
        Files.write(routes, List.of("alice@example.com server1", "bob@example.com server2", "@routed-everyone.example server3"));
        file = FileRouteSource.load(routes, Duration.ZERO);
        ldap = SwitchableRouteSource.named("ldap");
        RouteDirectory directory = RouteDirectory.of(List.of(Domain.of("example.com"), Domain.of("routed-everyone.example")), List.of(),
            List.of(ldap, file), new RecordingMetricFactory());

        MaxRcptHandler maxRcpt = new MaxRcptHandler();
        maxRcpt.setMaxRcpt(3);
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(new RecordingMetricFactory());
        chain.addAll(0, List.of(new RoutingRcptHook(directory), maxRcpt, new RoutedDomainsRelayRcptHook(noLocalDomain(), directory)));
        chain.wireExtensibleHandlers();
        NettyServer netty = new NettyServer.Factory()
            .protocol(new SMTPProtocol(chain, new SMTPConfigurationImpl()))
            .build();
        netty.setListenAddresses(new InetSocketAddress("127.0.0.1", 0));
        netty.bind();
        server = netty;
        address = server.getListenAddresses().get(0);
    }

    @AfterAll
    static void stopServer() {
        server.unbind();
        file.close();
    }

    SmtpTestClient client;

    @BeforeEach
    void connect() throws IOException {
        ldap.down(false);
        client = SmtpTestClient.plain(address.getPort());
        assertThat(client.greeting().transcript()).startsWith("220");
        assertThat(client.command("HELO client.example.org").transcript()).startsWith("250");
        assertThat(client.command("MAIL FROM:<sender@internet.example.org>").transcript()).startsWith("250");
    }

    @AfterEach
    void disconnect() throws IOException {
        client.close();
    }

    @Test
    void aRoutedRecipientShouldBeAcceptedForRelaying() throws IOException {
        assertThat(client.command("RCPT TO:<alice@example.com>").transcript()).isEqualTo("250 2.1.5 Recipient <alice@example.com> OK");
    }

    @Test
    void aRecipientRoutedByItsDomainShouldBeAccepted() throws IOException {
        assertThat(client.command("RCPT TO:<anyone@routed-everyone.example>").transcript()).isEqualTo("250 2.1.5 Recipient <anyone@routed-everyone.example> OK");
    }

    @Test
    void anUnknownRecipientOfARoutedDomainShouldBeRefusedAtRcpt() throws IOException {
        assertThat(client.command("RCPT TO:<mallory@example.com>").transcript())
            .isEqualTo("550 5.1.1 <mallory@example.com>: Recipient address rejected: User unknown");
    }

    @Test
    void aDirectoryFailureShouldAskTheSenderToRetry() throws IOException {
        ldap.down(true);

        assertThat(client.command("RCPT TO:<alice@example.com>").transcript())
            .isEqualTo("451 4.3.0 <alice@example.com>: Temporary failure of the routing directory, try again later");
    }

    @Test
    void anotherDomainShouldBeLeftToTheRelayCheck() throws IOException {
        assertThat(client.command("RCPT TO:<victim@elsewhere.example.net>").transcript())
            .isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
    }

    @Test
    void eachRecipientOfOneTransactionShouldGetItsOwnAnswer() throws IOException {
        assertThat(client.command("RCPT TO:<alice@example.com>").transcript()).startsWith("250 ");
        assertThat(client.command("RCPT TO:<mallory@example.com>").transcript()).startsWith("550 5.1.1");
        assertThat(client.command("RCPT TO:<bob@example.com>").transcript()).startsWith("250 ");
        assertThat(client.command("RCPT TO:<victim@elsewhere.example.net>").transcript()).startsWith("550 5.7.1");
        assertThat(client.command("DATA").transcript()).startsWith("354");
    }

    @Test
    void aLaterRcptHookShouldRunForARoutedRecipient() throws IOException {
        assertThat(client.command("RCPT TO:<alice@example.com>").transcript()).startsWith("250 ");
        assertThat(client.command("RCPT TO:<bob@example.com>").transcript()).startsWith("250 ");
        assertThat(client.command("RCPT TO:<anyone@routed-everyone.example>").transcript()).startsWith("250 ");

        assertThat(client.command("RCPT TO:<another@routed-everyone.example>").transcript()).startsWith("452 ");
    }

    @Nested
    class Wiring {
        RoutingRcptHook testee = new RoutingRcptHook(RouteDirectory.of(List.of(Domain.of("example.com")), List.of(), List.of(),
            new RecordingMetricFactory()));

        @Test
        void aChainWithJamesStockRelayRuleShouldBeRefusedNamingTheCorePackage() {
            assertThatThrownBy(() -> testee.wireExtensions(RcptHook.class, List.of(testee, new AuthRequiredToRelayRcptHook(noLocalDomain()))))
                .isInstanceOf(WiringException.class)
                .hasMessageContainingAll("coreHandlersPackage=\"org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader\"", "AuthRequiredToRelayRcptHook",
                    "example.com");
        }

        @Test
        void aChainWithTheRoutedRelayRuleShouldBeAccepted() throws Exception {
            testee.wireExtensions(RcptHook.class, List.of(testee, new RoutedDomainsRelayRcptHook(noLocalDomain(),
                RouteDirectory.of(List.of(), List.of(), List.of(), new RecordingMetricFactory()))));
        }

        @Test
        void theRoutingCorePackageShouldBeJamesCoreWithTheRelayRuleSwapped() {
            assertThat(new RoutingCoreCmdHandlerLoader().getHandlers())
                .contains(RoutedDomainsRelayRcptHook.class.getName())
                .doesNotContain(AuthRequiredToRelayRcptHook.class.getName())
                .hasSameSizeAs(new CoreCmdHandlerLoader().getHandlers());
        }
    }

    @Nested
    class Configuration {
        @Test
        void initShouldAcceptTheHandlerElementWithoutParameters() throws Exception {
            BaseConfiguration config = new BaseConfiguration();
            config.addProperty("[@class]", RoutingRcptHook.class.getName());

            new RoutingRcptHook(RouteDirectory.of(List.of(), List.of(), List.of(), new RecordingMetricFactory())).init(config);
        }

        @Test
        void initShouldRejectAParameterNamingIt() {
            BaseConfiguration config = new BaseConfiguration();
            config.addProperty("[@class]", RoutingRcptHook.class.getName());
            config.addProperty("domains", "example.com");

            assertThatThrownBy(() -> new RoutingRcptHook(RouteDirectory.of(List.of(), List.of(), List.of(), new RecordingMetricFactory())).init(config))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("org.relaypack.smtphooks.RoutingRcptHook: unknown parameter domains='example.com' (allowed: none); "
                    + "routing is configured in relaypack.xml <routing>");
        }
    }
}
