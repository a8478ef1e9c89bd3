package org.relaypack.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.google.common.collect.ImmutableList;

/**
 * Self-signed server certificates made with the JDK's keytool, once per test JVM, in a temporary
 * directory: "good" names localhost and 127.0.0.1, "wrong" names only wrong.example. The trust
 * store holds both certificates (so a refusal of "wrong" can only come from the host-name check).
 * Core's tests turn the trust store into TLS policies ({@code TestTlsPolicies}).
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";

    private static TestCertificates instance;

    public static synchronized TestCertificates get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    private final Path goodKeyStore;
    private final Path wrongKeyStore;
    private final Path trustStore;

    private TestCertificates(Path goodKeyStore, Path wrongKeyStore, Path trustStore) {
        this.goodKeyStore = goodKeyStore;
        this.wrongKeyStore = wrongKeyStore;
        this.trustStore = trustStore;
    }

    public Path goodKeyStore() {
        return goodKeyStore;
    }

    /** The PKCS12 trust store (password {@link #PASSWORD}) holding both certificates. */
    public Path trustStorePath() {
        return trustStore;
    }

    /** The certificate "good" servers present (CN=localhost). */
    public X509Certificate goodCertificate() {
        return certificate(goodKeyStore, "good");
    }

    /** The certificate of another key (CN=wrong.example). */
    public X509Certificate wrongNameCertificate() {
        return certificate(wrongKeyStore, "wrong");
    }

    private static X509Certificate certificate(Path keyStore, String alias) {
        try {
            return (X509Certificate) load(keyStore).getCertificate(alias);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext goodServerContext() {
        return serverContext(goodKeyStore);
    }

    public SSLContext wrongNameServerContext() {
        return serverContext(wrongKeyStore);
    }

    private static SSLContext serverContext(Path keyStorePath) {
        return serverContext(keyStorePath, PASSWORD);
    }

    /** A server-side TLS context with the key of this PKCS12 key store. */
    public static SSLContext serverContext(Path keyStorePath, String password) {
        try {
            KeyStore keyStore = load(keyStorePath, password);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate of its own and a trust store holding only it, for tests that need other names. */
    public static final class Single {
        private final Path keyStore;
        private final Path trustStore;

        private Single(Path keyStore, Path trustStore) {
            this.keyStore = keyStore;
            this.trustStore = trustStore;
        }

        public SSLContext serverContext() {
            return TestCertificates.serverContext(keyStore);
        }

        /** The PKCS12 trust store (password {@link #PASSWORD}) holding only this certificate. */
        public Path trustStorePath() {
            return trustStore;
        }

        public X509Certificate certificate() {
            try {
                KeyStore trusted = load(trustStore);
                return (X509Certificate) trusted.getCertificate(trusted.aliases().nextElement());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A PKCS12 trust store (password {@link #PASSWORD}) in a temporary directory holding all these certificates. */
    public static Path trustStoreOf(Single... certificates) {
        try {
            Path directory = Files.createTempDirectory("relaypack-trust");
            directory.toFile().deleteOnExit();
            Path trust = directory.resolve("trust.p12");
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, PASSWORD.toCharArray());
            for (int i = 0; i < certificates.length; i++) {
                trusted.setCertificateEntry("certificate-" + i, certificates[i].certificate());
            }
            try (OutputStream out = Files.newOutputStream(trust)) {
                trusted.store(out, PASSWORD.toCharArray());
            }
            return trust;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param san as keytool writes it, e.g. "SAN=dns:mx.example.com" */
    public static Single single(String alias, String dname, String san) {
        try {
            Path directory = Files.createTempDirectory("relaypack-cert-" + alias);
            directory.toFile().deleteOnExit();
            Path keyStore = directory.resolve(alias + ".p12");
            Path trust = directory.resolve(alias + "-trust.p12");
            generate(keyStore, alias, dname, san);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, PASSWORD.toCharArray());
            trusted.setCertificateEntry(alias, load(keyStore).getCertificate(alias));
            try (OutputStream out = Files.newOutputStream(trust)) {
                trusted.store(out, PASSWORD.toCharArray());
            }
            return new Single(keyStore, trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestCertificates create() {
        try {
            Path directory = Files.createTempDirectory("relaypack-certs");
            directory.toFile().deleteOnExit();
            Path good = directory.resolve("good.p12");
            Path wrong = directory.resolve("wrong.p12");
            Path trust = directory.resolve("trust.p12");
            // two keytool runs at once: a JVM start each is most of the cost
            CompletableFuture<Void> goodDone = CompletableFuture.runAsync(() -> generate(good, "good", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"));
            generate(wrong, "wrong", "CN=wrong.example", "SAN=dns:wrong.example");
            goodDone.join();
            writeTrustStore(trust, good, "good", wrong, "wrong");
            return new TestCertificates(good, wrong, trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void generate(Path keyStore, String alias, String dname, String san) {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", dname, "-ext", san, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
            "-storepass", PASSWORD, "-keypass", PASSWORD);
    }

    /** The certificates of both key stores as trusted entries, as "keytool -importcert" would store them. */
    private static void writeTrustStore(Path trustStore, Path good, String goodAlias, Path wrong, String wrongAlias)
            throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, PASSWORD.toCharArray());
        trusted.setCertificateEntry(goodAlias, load(good).getCertificate(goodAlias));
        trusted.setCertificateEntry(wrongAlias, load(wrong).getCertificate(wrongAlias));
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trusted.store(out, PASSWORD.toCharArray());
        }
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        return load(path, PASSWORD);
    }

    private static KeyStore load(Path path, String password) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, password.toCharArray());
            return keyStore;
        }
    }

    private static void keytool(String... arguments) {
        List<String> command = ImmutableList.<String>builder()
            .add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString())
            .add(arguments)
            .build();
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
