package org.relaypack.delivery;

import org.relaypack.testing.DnsJavaShapedDns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
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
    static final String PASSWORD = "changeit";

    /** "sts" names mta-sts.example.test, mx1.example.test and mx2.example.test; "other" names other.example. Both trusted. */
    static final class Certificates {
        private static Certificates instance;

        static synchronized Certificates get() {
            if (instance == null) {
                instance = create();
            }
            return instance;
        }

        private final Path sts;
        private final Path other;
        private final Path trust;

        private Certificates(Path sts, Path other, Path trust) {
            this.sts = sts;
            this.other = other;
            this.trust = trust;
        }

        SSLContext sts() {
            return serverContext(sts);
        }

        SSLContext otherName() {
            return serverContext(other);
        }

        TlsPolicy.TrustStore trustStore() {
            return new TlsPolicy.TrustStore(trust.toString(), "PKCS12", Optional.of(PASSWORD));
        }

        private static Certificates create() {
            try {
                Path directory = Files.createTempDirectory("relaypack-mtasts-certs");
                directory.toFile().deleteOnExit();
                Path sts = directory.resolve("sts.p12");
                Path other = directory.resolve("other.p12");
                Path trust = directory.resolve("trust.p12");
                CompletableFuture<Void> stsDone = CompletableFuture.runAsync(() -> generate(sts, "sts", "CN=mx1.example.test",
                    "SAN=dns:mta-sts.example.test,dns:mx1.example.test,dns:mx2.example.test"));
                generate(other, "other", "CN=other.example", "SAN=dns:other.example");
                stsDone.join();
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, PASSWORD.toCharArray());
                trusted.setCertificateEntry("sts", load(sts).getCertificate("sts"));
                trusted.setCertificateEntry("other", load(other).getCertificate("other"));
                try (OutputStream out = Files.newOutputStream(trust)) {
                    trusted.store(out, PASSWORD.toCharArray());
                }
                return new Certificates(sts, other, trust);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static SSLContext serverContext(Path keyStore) {
            try {
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(load(keyStore), PASSWORD.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), null, null);
                return context;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
            try (InputStream in = Files.newInputStream(path)) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(in, PASSWORD.toCharArray());
                return keyStore;
            }
        }

        private static void generate(Path keyStore, String alias, String dname, String san) {
            List<String> command = ImmutableList.of(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", dname, "-ext", san, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + command + "\n" + output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
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
