package org.relaypack.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.google.common.collect.ImmutableList;
import com.google.common.io.BaseEncoding;

/**
 * The running stand-ins of a local run. TLS stand-ins get a certificate signed by a CA made once per
 * working directory ({@code standins/}); that CA becomes the trust store the sample asks for
 * ({@code trust=} in standins.properties). AUTH passwords are read from the sample's own secret files.
 */
public final class StandIns implements AutoCloseable {
    private static final String KEY_PASSWORD = "relaypack-standins";

    private final List<StandIn> running;

    /**
     * @param ports the bound SMTP and IMAP port of each stand-in's shipped port
     */
    public static StandIns start(StandInsFile file, Path workdir, Map<Integer, Integer> ports) throws IOException {
        Path conf = workdir.resolve("conf");
        Path keys = workdir.resolve("standins");
        boolean anyTls = file.standIns().stream().anyMatch(spec -> spec.tls() != StandInSpec.Tls.NONE);
        if (anyTls || file.trustStore().isPresent()) {
            writeTrustStore(file, keys, conf);
        }
        List<StandIn> running = new ArrayList<>();
        try {
            for (StandInSpec spec : file.standIns()) {
                Optional<SSLContext> tls = spec.tls() == StandInSpec.Tls.NONE ? Optional.empty()
                    : Optional.of(sslContext(keystore(keys, spec)));
                Optional<String> password = spec.authPasswordFile().map(name -> secret(conf.resolve(name)));
                running.add(StandIn.start(spec, ports.get(spec.shippedSmtpPort()), ports.get(spec.shippedImapPort()), tls, password));
            }
        } catch (RuntimeException e) {
            running.forEach(StandIn::close);
            throw e;
        }
        return new StandIns(running);
    }

    private static Path ca(Path keys) throws IOException {
        Path caCertificate = keys.resolve("ca").resolve("ca.crt");
        if (!Files.exists(caCertificate)) {
            Certificates.newCa(keys.resolve("ca"), KEY_PASSWORD, "relaypack run CA");
        }
        return keys.resolve("ca");
    }

    /** The stand-in's key, signed by the run's CA for the names it answers as; made once. */
    private static Path keystore(Path keys, StandInSpec spec) throws IOException {
        Path folder = keys.resolve(spec.name());
        Path names = folder.resolve("names");
        String wanted = String.join(",", spec.certificateNames());
        if (Files.exists(names) && Files.readString(names, StandardCharsets.UTF_8).equals(wanted)) {
            return folder.resolve("server.p12");
        }
        Path ca = ca(keys);
        Files.createDirectories(folder);
        Path server = Certificates.signedBy(ca, KEY_PASSWORD, folder, spec.certificateNames());
        Files.writeString(names, wanted, StandardCharsets.UTF_8);
        return server;
    }

    /** conf/STORE trusting the run's CA, with the password of conf/SECRET (written if the sample ships none). */
    private static void writeTrustStore(StandInsFile file, Path keys, Path conf) throws IOException {
        if (file.trustStore().isEmpty()) {
            return;
        }
        Path secretFile = conf.resolve(file.trustStoreSecret().get());
        if (!Files.exists(secretFile)) {
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            Files.writeString(secretFile, BaseEncoding.base32().omitPadding().lowerCase().encode(random) + "\n", StandardCharsets.UTF_8);
        }
        Path trustStore = conf.resolve(file.trustStore().get());
        Files.deleteIfExists(trustStore);
        Certificates.trustStoreOf(ca(keys).resolve("ca.crt"), trustStore, secret(secretFile));
    }

    static String secret(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the secret file " + file + ": " + e, e);
        }
    }

    private static SSLContext sslContext(Path keystore) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, KEY_PASSWORD.toCharArray());
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, KEY_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the stand-in key " + keystore + ": " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot use the stand-in key " + keystore + ": " + e, e);
        }
    }

    private StandIns(List<StandIn> running) {
        this.running = ImmutableList.copyOf(running);
    }

    public List<StandIn> running() {
        return running;
    }

    @Override
    public void close() {
        running.forEach(StandIn::close);
    }
}
