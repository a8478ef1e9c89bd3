package org.relaypack.it.submission;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.utils.DataProbeImpl;
import org.relaypack.runner.Certificates;
import org.relaypack.runner.ConfSample;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * A real James 3.8.1 running conf-samples/submission as shipped, except what a test must change:
 * listener ports (free loopback ports), the upstream provider (a local SMTP peer), a generated
 * keystore, and one recording mailet inserted at the sample's "your own mailets" marker.
 */
final class SubmissionSample implements AutoCloseable {
    static final String PROVIDER = "smtp.provider.example:587";
    static final String MAILET_MARKER = "<!-- relaypack: your own mailets over the relaypack.tls.* facts";

    static {
        // James calls System.exit(1) on a startup error unless told otherwise (read once, when
        // GuiceJamesServer is loaded): the startup-check tests need the exception instead.
        System.setProperty("james.exit.on.startup.error", "false");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static Path sampleDir() {
        return Paths.get(System.getProperty("relaypack.root", "..")).resolve("conf-samples").resolve("submission");
    }

    static SubmissionSample start(int upstreamPort) throws Exception {
        return start(upstreamPort, ImmutableMap.of());
    }

    /** With extra text substitutions in the sample's files, to break it on purpose. */
    static SubmissionSample start(int upstreamPort, Map<String, String> changes) throws Exception {
        Path workdir = Files.createTempDirectory("relaypack-submission");
        Path conf = workdir.resolve("conf");
        ConfSample sample = new ConfSample(sampleDir());
        changes.forEach(sample::substitute);
        Map<Integer, Integer> ports = sample
            .substitute(PROVIDER, "127.0.0.1:" + upstreamPort)
            .substitute(MAILET_MARKER, "<mailet match=\"All\" class=\"" + RecordTlsFacts.class.getName() + "\"/>\n" + MAILET_MARKER)
            .writeTo(conf, shipped -> {
                try {
                    return freePort();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        String secret = ConfSample.keystoreSecret(conf).orElseThrow();
        Certificates.selfSigned(conf.resolve("keystore"), secret, "localhost", ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
        Path trustStore = Certificates.trustStoreFor(conf.resolve("keystore"), secret, workdir.resolve("truststore.p12"), "changeit");

        InMemoryDNSService dns = new InMemoryDNSService()
            .registerMxRecord("localhost", "127.0.0.1")
            .registerMxRecord("127.0.0.1", "127.0.0.1");
        GuiceJamesServer server = MemoryJamesServerMain.createServer(MemoryJamesConfiguration.builder()
                .workingDirectory(workdir.toFile())
                .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
                .build())
            .overrideWith(binder -> binder.bind(DNSService.class).toInstance(dns));
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new SubmissionSample(server, ports, trustContext(trustStore));
    }

    private static SSLContext trustContext(Path trustStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            store.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private final GuiceJamesServer server;
    private final Map<Integer, Integer> ports;
    private final SSLContext clientTls;

    private SubmissionSample(GuiceJamesServer server, Map<Integer, Integer> ports, SSLContext clientTls) {
        this.server = server;
        this.ports = ports;
        this.clientTls = clientTls;
    }

    /** The loopback port bound for a port of the sample (25, 465, 587). */
    int port(int shipped) {
        return ports.get(shipped);
    }

    SSLContext clientTls() {
        return clientTls;
    }

    DataProbeImpl data() {
        return server.getProbe(DataProbeImpl.class);
    }

    @Override
    public void close() {
        server.stop();
    }
}
