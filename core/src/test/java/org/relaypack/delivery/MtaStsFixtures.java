package org.relaypack.delivery;

import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableList;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The parts of the MTA-STS stories: certificates for the test names (made with keytool once per
 * JVM), DNS with TXT records in dnsjava's zone-file form, and an HTTPS policy server on loopback.
 */
final class MtaStsFixtures {
    static final String PASSWORD = TestCertificates.PASSWORD;

    /** "sts" names mta-sts.example.test, mx1.example.test and mx2.example.test; "other" names other.example. Both trusted. */
    static final class Certificates {
        private static Certificates instance;

        static synchronized Certificates get() {
            if (instance == null) {
                instance = create();
            }
            return instance;
        }

        private final TestCertificates.Single sts;
        private final TestCertificates.Single other;
        private final Path trust;

        private Certificates(TestCertificates.Single sts, TestCertificates.Single other) {
            this.sts = sts;
            this.other = other;
            this.trust = TestCertificates.trustStoreOf(sts, other);
        }

        SSLContext sts() {
            return sts.serverContext();
        }

        /** The certificate of {@link #sts()}, for TLSA records of its key. */
        X509Certificate stsCertificate() {
            return sts.certificate();
        }

        SSLContext otherName() {
            return other.serverContext();
        }

        TlsPolicy.TrustStore trustStore() {
            return new TlsPolicy.TrustStore(trust.toString(), "PKCS12", Optional.of(PASSWORD));
        }

        private static Certificates create() {
            // two keytool runs at once: a JVM start each is most of the cost
            CompletableFuture<TestCertificates.Single> sts = CompletableFuture.supplyAsync(() -> TestCertificates.single("sts",
                "CN=mx1.example.test", "SAN=dns:mta-sts.example.test,dns:mx1.example.test,dns:mx2.example.test"));
            TestCertificates.Single other = TestCertificates.single("other", "CN=other.example", "SAN=dns:other.example");
            return new Certificates(sts.join(), other);
        }
    }

    /** {@link DnsJavaShapedDns} with TXT records, answered as DNSJavaService does: each record's strings quoted. */
    static final class Dns extends DnsJavaShapedDns {
        private final Map<String, List<String>> txt = new ConcurrentHashMap<>();

        /** Each record is given as its strings: {@code txt(name, List.of("v=STSv1; ", "id=1;"))}. */
        @SafeVarargs
        final Dns txt(String name, List<String>... records) {
            txt.put(key(name), ImmutableList.copyOf(records).stream()
                .map(strings -> strings.stream().map(string -> "\"" + string.replace("\"", "\\\"") + "\"")
                    .reduce((a, b) -> a + " " + b).orElse("\"\""))
                .collect(ImmutableList.toImmutableList()));
            return this;
        }

        Dns stsRecord(String domain, String id) {
            return txt("_mta-sts." + domain, List.of("v=STSv1; id=" + id + ";"));
        }

        private static String key(String name) {
            String key = name.toLowerCase();
            return key.endsWith(".") ? key.substring(0, key.length() - 1) : key;
        }

        @Override
        public Collection<String> findTXTRecords(String hostname) {
            return txt.getOrDefault(key(hostname), ImmutableList.of());
        }
    }

    /** An HTTPS server on 127.0.0.1 answering /.well-known/mta-sts.txt as told, counting the requests. */
    static final class PolicyServer implements AutoCloseable {
        private final HttpsServer server;
        private final AtomicInteger requests = new AtomicInteger();
        private volatile int status = 200;
        private volatile String contentType = "text/plain";
        private volatile byte[] body = new byte[0];
        private volatile Optional<String> location = Optional.empty();

        PolicyServer(SSLContext tls) {
            try {
                server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.createContext("/.well-known/mta-sts.txt", exchange -> {
                requests.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", contentType);
                location.ifPresent(target -> exchange.getResponseHeaders().set("Location", target));
                byte[] answer = body;
                exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        int requests() {
            return requests.get();
        }

        PolicyServer policy(String text) {
            return answer(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        PolicyServer answer(int status, String contentType, byte[] body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.location = Optional.empty();
            return this;
        }

        PolicyServer redirect(String target) {
            answer(301, "text/plain", new byte[0]);
            this.location = Optional.of(target);
            return this;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private MtaStsFixtures() {
    }
}
