package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;

import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableList;

/**
 * Each kind of mistake in a copy of conf-samples/smarthost-client stops James at startup with a
 * message naming the element or mailet, the parameter and the bad value. Needs
 * {@code -Djames.exit.on.startup.error=false} (set for the integration tests in their pom): otherwise
 * James calls System.exit(1), as it does in production.
 */
class SmarthostStartupCheckTest {
    private static RelayJames.Builder brokenSample(String from, String to) {
        return RelayJames.sample("smarthost-client").substitute(from, to);
    }

    @Test
    void anUnknownTlsModeShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("<tls mode=\"starttls-required\"", "<tls mode=\"startls\"").start().close())
            .hasStackTraceContaining("<nexthop name=\"provider\">/<tls>: mode 'startls' is not one of none, opportunistic, starttls-required, implicit");
    }

    @Test
    void aPortOutOfRangeShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("[smtp1.provider.example]:587", "[smtp1.provider.example]:70000").start().close())
            .hasStackTraceContaining("<nexthop name=\"provider\">")
            .hasStackTraceContaining("'[smtp1.provider.example]:70000'")
            .hasStackTraceContaining("port 70000 out of range 1-65535");
    }

    @Test
    void anUnreadablePasswordFileShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("file://conf/smarthost.secret", "file://conf/no-such.secret").start().close())
            .hasStackTraceContaining("<auth>: passwordFile 'file://conf/no-such.secret' is not a readable file");
    }

    @Test
    void aRouteToAnUndefinedNextHopShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("<default nexthop=\"provider\"/>", "<default nexthop=\"providr\"/>").start().close())
            .hasStackTraceContaining("nexthop 'providr' names no <nexthop> in <nexthops> (defined: provider, provider-465)");
    }

    @Test
    void anUnknownAttributeInRelaypackXmlShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"implicit\" verifiy=\"true\"/>").start().close())
            .hasStackTraceContaining("<nexthop name=\"provider-465\">/<tls>")
            .hasStackTraceContaining("verifiy");
    }

    @Test
    void aTrustStoreWithAWrongPasswordShouldStopJamesWithoutShowingThePassword() throws Exception {
        Path conf = Files.createTempDirectory("relaypack-truststore-");
        Path keystore = Certificates.selfSigned(conf.resolve("peer.p12"), "key-pass", "localhost", ImmutableList.of("dns:localhost"));
        Certificates.trustStoreFor(keystore, "key-pass", conf.resolve("provider-ca.p12"), "trust-pass");

        assertThatThrownBy(() -> brokenSample("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"implicit\" verify=\"true\">"
                + "<truststore path=\"file://conf/provider-ca.p12\" password=\"not-the-trust-pass\"/></tls>")
                .extraConf(conf).start().close())
            .hasStackTraceContaining("<nexthop name=\"provider-465\">/<tls>/<truststore>: path 'file://conf/provider-ca.p12' "
                + "cannot be loaded as a PKCS12 trust store with the password given")
            .satisfies(error -> assertThat(Throwables.getStackTraceAsString(error)).doesNotContain("not-the-trust-pass"));
    }

    @Test
    void verifyWithModeNoneShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"none\" verify=\"true\"/>").start().close())
            .hasStackTraceContaining("<nexthop name=\"provider-465\">/<tls>: verify 'true' needs TLS, and mode none never uses it");
    }

    @Test
    void aMisspeltPasswordAttributeShouldStopJamesWithoutShowingItsValue() {
        assertThatThrownBy(() -> brokenSample("passwordFile=\"file://conf/smarthost.secret\"", "pasword=\"hunter2-secret\"").start().close())
            .hasStackTraceContaining("<auth>: unknown attribute pasword=(value not shown)")
            .satisfies(error -> assertThat(Throwables.getStackTraceAsString(error)).doesNotContain("hunter2-secret"));
    }

    @Test
    void aTimeoutLongerThanAnHourShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("idleTimeout=\"30s\"", "idleTimeout=\"2h\"").start().close())
            .hasStackTraceContaining("<nexthop name=\"provider\">/<pool>: idleTimeout '2h' must be at most 1h");
    }

    @Test
    void anUnknownMailetParameterShouldStopJames() {
        assertThatThrownBy(() -> brokenSample("<bounceProcessor>bounces</bounceProcessor>", "<bounceProcesor>bounces</bounceProcesor>").start().close())
            .hasStackTraceContaining("SmarthostDelivery")
            .hasStackTraceContaining("bounceProcesor");
    }
}
