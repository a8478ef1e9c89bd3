package org.relaypack.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.google.common.collect.ImmutableList;
import com.google.common.io.BaseEncoding;

/**
 * The running stand-ins of a local run. TLS stand-ins get a certificate signed by a CA made once per
 * working directory ({@code standins/}); that CA becomes the trust store the sample asks for
 * ({@code trust=} in standins.properties). AUTH passwords are read from the sample's own secret files.
 * Keys are made before any port is chosen, and each stand-in binds as soon as its port is chosen
 * (with free ports, another free port is tried if one was taken meanwhile).
 */
public final class StandIns implements AutoCloseable {
    private static final String KEY_PASSWORD = "relaypack-standins";
    private static final int BIND_ATTEMPTS = 5;

    private final StandInsFile file;
    private final Path keys;
    private final List<StandIn> running;

    /**
     * @param ports the port to bind for a shipped port
     * @param retryBind whether a port taken meanwhile may be replaced by another one from {@code ports}
     */
    public static StandIns start(StandInsFile file, Path sampleDir, Path workdir, IntUnaryOperator ports, boolean retryBind) throws IOException {
        Path keys = workdir.resolve("standins");
        List<Optional<SSLContext>> contexts = new ArrayList<>();
        for (StandInSpec spec : file.standIns()) {
            contexts.add(spec.tls() == StandInSpec.Tls.NONE ? Optional.empty() : Optional.of(sslContext(keystore(keys, spec))));
        }
        if (file.trustStore().isPresent()) {
            ca(keys);
        }
        List<StandIn> running = new ArrayList<>();
        try {
            for (int i = 0; i < file.standIns().size(); i++) {
                StandInSpec spec = file.standIns().get(i);
                Optional<String> password = spec.authPasswordFile().map(name -> secret(sampleDir.resolve(name)));
                running.add(bind(spec, ports, retryBind, contexts.get(i), password));
            }
        } catch (RuntimeException e) {
            running.forEach(StandIn::close);
            throw e;
        }
        return new StandIns(file, keys, running);
    }

    private static StandIn bind(StandInSpec spec, IntUnaryOperator ports, boolean retryBind, Optional<SSLContext> tls, Optional<String> password) {
        for (int attempt = 1; ; attempt++) {
            try {
                return StandIn.start(spec, ports.applyAsInt(spec.shippedSmtpPort()), ports.applyAsInt(spec.shippedImapPort()), tls, password);
            } catch (RuntimeException e) {
                if (!retryBind || attempt >= BIND_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static Path ca(Path keys) throws IOException {
        Path caFolder = keys.resolve("ca");
        if (!Files.exists(caFolder.resolve("ca.crt"))) {
            Certificates.newCa(caFolder, KEY_PASSWORD, "relaypack run CA");
        }
        return caFolder;
    }

    /** The stand-in's key, signed by the run's CA for the names it answers as; made once. */
    private static Path keystore(Path keys, StandInSpec spec) throws IOException {
        Path folder = keys.resolve(spec.name());
        Path names = folder.resolve("names");
        String wanted = String.join(",", spec.certificateNames());
        if (Files.exists(names) && Files.readString(names, StandardCharsets.UTF_8).equals(wanted)) {
            return folder.resolve("server.p12");
        }
        Path server = Certificates.signedBy(ca(keys), KEY_PASSWORD, folder, spec.certificateNames());
        Files.writeString(names, wanted, StandardCharsets.UTF_8);
        return server;
    }

    /**
     * conf/STORE trusting the run's CA, with the password of conf/SECRET (the sample's own secret
     * file, or one written here when the sample ships none).
     */
    public void writeTrustStore(Path conf) throws IOException {
        if (file.trustStore().isEmpty()) {
            return;
        }
        Path secretFile = conf.resolve(file.trustStoreSecret().get());
        if (!Files.exists(secretFile)) {
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            Files.writeString(secretFile, BaseEncoding.base32().omitPadding().lowerCase().encode(random) + "\n", StandardCharsets.UTF_8);
        }
        String password = secret(secretFile);
        Path made = keys.resolve("trust").resolve(file.trustStore().get());
        Path madeWith = keys.resolve("trust").resolve("password");
        if (!Files.exists(made) || !Files.exists(madeWith) || !Files.readString(madeWith, StandardCharsets.UTF_8).equals(password)) {
            Files.createDirectories(made.getParent());
            Files.deleteIfExists(made);
            Certificates.trustStoreOf(ca(keys).resolve("ca.crt"), made, password);
            Files.writeString(madeWith, password, StandardCharsets.UTF_8);
        }
        Files.copy(made, conf.resolve(file.trustStore().get()), StandardCopyOption.REPLACE_EXISTING);
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

    private StandIns(StandInsFile file, Path keys, List<StandIn> running) {
        this.file = file;
        this.keys = keys;
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
