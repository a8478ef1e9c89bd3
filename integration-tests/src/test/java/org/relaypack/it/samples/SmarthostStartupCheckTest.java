package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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

    /** The sample's text replaced by a mistake, and what James's startup failure must name. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("mistakes")
    void aMistakeInTheSampleShouldStopJamesNamingIt(String from, String to, List<String> named) {
        assertThatThrownBy(() -> brokenSample(from, to).start().close())
            .satisfies(error -> assertThat(Throwables.getStackTraceAsString(error)).contains(named));
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
            Arguments.of("<tls mode=\"starttls-required\"", "<tls mode=\"startls\"",
                List.of("<nexthop name=\"provider\">/<tls>: mode 'startls' is not one of none, opportunistic, starttls-required, implicit")),
            Arguments.of("[smtp1.provider.example]:587", "[smtp1.provider.example]:70000",
                List.of("<nexthop name=\"provider\">", "'[smtp1.provider.example]:70000'", "port 70000 out of range 1-65535")),
            Arguments.of("file://conf/smarthost.secret", "file://conf/no-such.secret",
                List.of("<auth>: passwordFile 'file://conf/no-such.secret' is not a readable file")),
            Arguments.of("<default nexthop=\"provider\"/>", "<default nexthop=\"providr\"/>",
                List.of("nexthop 'providr' names no <nexthop> in <nexthops> (defined: provider, provider-465)")),
            Arguments.of("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"implicit\" verifiy=\"true\"/>",
                List.of("<nexthop name=\"provider-465\">/<tls>", "verifiy")),
            Arguments.of("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"none\" verify=\"true\"/>",
                List.of("<nexthop name=\"provider-465\">/<tls>: verify 'true' needs TLS, and mode none never uses it")),
            Arguments.of("idleTimeout=\"30s\"", "idleTimeout=\"2h\"", List.of("<nexthop name=\"provider\">/<pool>: idleTimeout '2h' must be at most 1h")),
            Arguments.of("<bounceProcessor>bounces</bounceProcessor>", "<bounceProcesor>bounces</bounceProcesor>",
                List.of("SmarthostDelivery", "bounceProcesor")));
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
    void aMisspeltPasswordAttributeShouldStopJamesWithoutShowingItsValue() {
        assertThatThrownBy(() -> brokenSample("passwordFile=\"file://conf/smarthost.secret\"", "pasword=\"hunter2-secret\"").start().close())
            .hasStackTraceContaining("<auth>: unknown attribute pasword=(value not shown)")
            .satisfies(error -> assertThat(Throwables.getStackTraceAsString(error)).doesNotContain("hunter2-secret"));
    }
}
