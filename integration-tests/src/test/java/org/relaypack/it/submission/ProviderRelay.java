package org.relaypack.it.submission;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;
import org.relaypack.testing.SmtpPeer;

import com.google.common.collect.ImmutableList;

/**
 * The upstream provider of conf-samples/submission as a real peer: STARTTLS required, AUTH required
 * with the sample's user and its shipped placeholder password, a certificate James verifies through
 * the trust store the sample's commented truststore line names (the certificate substitution).
 */
final class ProviderRelay implements AutoCloseable {
    static final String PROVIDER = "[smtp.provider.example]:587";
    static final String TRUSTSTORE_MARKER = "<!-- relaypack: provider CA ";
    static final String USERNAME = "submission@example.org";

    private final SmtpPeer peer;
    private final Path extraConf;

    static ProviderRelay start() throws Exception {
        Path dir = Files.createTempDirectory("provider-relay-");
        Path keystore = Certificates.selfSigned(dir.resolve("provider.p12"), "provider-pass", "localhost",
            ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
        Path extraConf = Files.createDirectories(dir.resolve("conf"));
        Certificates.trustStoreFor(keystore, "provider-pass", extraConf.resolve("provider-ca.p12"), "trust-pass");
        Files.deleteIfExists(extraConf.resolve("provider-ca.p12.crt"));
        Files.writeString(extraConf.resolve("provider-ca.secret"), "trust-pass\n", StandardCharsets.UTF_8);
        String password = Files.readString(RelayJames.projectRoot().resolve("conf-samples/submission/provider.secret")).trim();
        SmtpPeer peer = SmtpPeer.builder()
            .startTls(keystore, "provider-pass")
            .requireTls()
            .requireAuth(USERNAME, password)
            .start();
        return new ProviderRelay(peer, extraConf);
    }

    private ProviderRelay(SmtpPeer peer, Path extraConf) {
        this.peer = peer;
        this.extraConf = extraConf;
    }

    /** The sample with the provider's address and certificate substituted. */
    RelayJames.Builder applyTo(RelayJames.Builder sample) {
        return sample
            .substitute(PROVIDER, "[127.0.0.1]:" + peer.port())
            .substitute(TRUSTSTORE_MARKER, "<truststore path=\"file://conf/provider-ca.p12\" type=\"PKCS12\" "
                + "passwordFile=\"file://conf/provider-ca.secret\"/><!-- ")
            .extraConf(extraConf);
    }

    SmtpPeer peer() {
        return peer;
    }

    @Override
    public void close() {
        peer.close();
    }
}
