package org.relaypack.it.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.AuthoritativeDns;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.TestResources;

/**
 * conf-samples/smarthost with its internet hop switched to {@code <tls mode="dane">}, on a real
 * James 3.8.1: relaypack.xml with a trust anchor file is accepted at startup, the hop's own
 * validating resolver (dnsjava's, from James's class path) asks a DNS server on loopback on the
 * port {@code <dane resolver>} names, and a domain in an unsigned zone (no trust anchor covers it)
 * gets its mail opportunistically, without any TLSA lookup. The DANE decisions themselves are
 * proven against a signed zone in the mailets module (DaneDeliveryTest).
 */
class DaneStoryTest {
    /** A DS for a zone nobody serves here: the anchor covers nothing of this story's zone. */
    private static final String ANCHORS = "; DANE trust anchors of the story\n"
        + "signed.invalid. 3600 IN DS 12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4C3FCF47A2D2C7A5B7A1E3C0\n";
    private static final String SENDER = "scanner@lan.example";
    private static AuthoritativeDns dns;
    private static SmtpPeer internet;
    private static RelayJames james;
    @RegisterExtension
    static final TestResources resources = TestResources.perClass();

    @BeforeAll
    static void start() throws Exception {
        startWith("dane");
    }

    /** Boots the story with the internet hop under this mode, which takes the {@code <dane>} element. */
    static void startWith(String mode) throws Exception {
        dns = resources.add(AuthoritativeDns.start(InetAddress.getLoopbackAddress(), 0));
        internet = resources.add(SmtpPeer.builder().start());
        dns.mx("unsigned.dane.example", 10, "mx1.unsigned.dane.example").a("mx1.unsigned.dane.example", "127.0.0.1");
        Path conf = Files.createTempDirectory("relaypack-dane-conf-");
        Files.writeString(conf.resolve("dane-root.key"), ANCHORS, StandardCharsets.US_ASCII);
        james = resources.add(RelayJames.sample("smarthost")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\"", "name=\"internet\" type=\"mx\" port=\"" + internet.port() + "\"")
            .substitute("<tls mode=\"opportunistic\"/>", "<tls mode=\"" + mode + "\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"127.0.0.1:"
                + dns.address().getPort() + "\"/></tls>")
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>", "<retry delays=\"1s\" maxAttempts=\"1000\"/>"
                + "<loopDetection allowLoopbackMx=\"true\"/>")
            // the partner hop is not part of this story: the JVM's CAs instead of the trust store the sample names
            .substitute("<truststore path=\"file://conf/partner-ca.p12\" type=\"PKCS12\" passwordFile=\"file://conf/partner-ca.secret\"/>", "")
            .extraConf(conf)
            .start());
    }

    @Test
    void anUnsignedDomainShouldGetItsMailOpportunisticallyThroughTheValidatingResolver() throws Exception {
        assertThat(james.sendFromLan(SENDER, "bob@unsigned.dane.example", "dane, insecure zone").code()).isEqualTo(250);

        await().atMost(Duration.ofSeconds(60)).until(() -> internet.transactionsTo("bob@unsigned.dane.example").size() == 1);
        assertThat(dns.queries()).contains("MX unsigned.dane.example.", "A mx1.unsigned.dane.example.")
            .noneMatch(query -> query.startsWith("TLSA"));
    }
}
