package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.smarthost.SmarthostRoutes;
import org.relaypack.delivery.HopScheduling;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.tls.TlsMode;

/** The example of docs/relaypack-xml.md is a working configuration, routed as the page says. */
class DocumentedExampleTest {
    private static final Path PAGE = Path.of("..", "docs", "relaypack-xml.md");

    @TempDir
    Path jamesHome;

    private static String firstXmlBlock(String markdown) {
        int start = markdown.indexOf("```xml\n") + "```xml\n".length();
        return markdown.substring(start, markdown.indexOf("```", start));
    }

    /** The trust store is loaded at startup: a PKCS12 store with one of the JVM's CAs stands for the partner's CA. */
    private static void writeTrustStore(Path path, String password) throws Exception {
        KeyStore jvmCas = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            jvmCas.load(in, null);
        }
        String alias = jvmCas.aliases().nextElement();
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("partner-ca", jvmCas.getCertificate(alias));
        try (OutputStream out = Files.newOutputStream(path)) {
            trustStore.store(out, password.toCharArray());
        }
    }

    @Test
    void exampleShouldParseAndRouteAsDocumented() throws Exception {
        Files.createDirectories(jamesHome.resolve("conf"));
        writeTrustStore(jamesHome.resolve("conf/partner-ca.p12"), "changeit");
        HierarchicalConfiguration<ImmutableNode> xml = FileConfigurationProvider.getConfig(new ByteArrayInputStream(
            firstXmlBlock(Files.readString(PAGE, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

        NextHopsConfiguration hops = NextHopsConfiguration.from(xml, new FileSystemImpl(new JamesServerResourceLoader(jamesHome.toString())),
            Map.of("RELAY_PASSWORD", "secret", "PARTNER_CA_PASSWORD", "changeit")::get);
        SmarthostRoutes testee = SmarthostRoutes.from(xml, hops);

        assertThat(hops.hops().keySet()).containsExactly("upstream", "upstream-465", "partner", "internet");
        assertThat(hops.hop("upstream").orElseThrow().scheduling().fallback()).contains("upstream-465");
        assertThat(hops.hop("upstream-465").orElseThrow().tls().mode()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(hops.hop("upstream").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.INLINE);
        assertThat(hops.hop("partner").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.QUEUE);
        assertThat(hops.hop("internet").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.QUEUE);
        MaybeSender alice = MaybeSender.of(new MailAddress("alice@lan.example"));
        assertThat(testee.resolve(alice, new MailAddress("bob@partner.example")).map(NextHop::name)).contains("partner");
        assertThat(testee.resolve(alice, new MailAddress("ceo@partner.example")).map(NextHop::name)).contains("upstream");
        assertThat(testee.resolve(MaybeSender.of(new MailAddress("x@dept.example")), new MailAddress("bob@remote.example"))
            .map(NextHop::name)).contains("internet");
        assertThat(testee.resolve(alice, new MailAddress("bob@remote.example")).map(NextHop::name)).contains("upstream");
    }
}
