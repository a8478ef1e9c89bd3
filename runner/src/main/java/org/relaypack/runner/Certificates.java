package org.relaypack.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.common.collect.ImmutableList;

/**
 * Self-signed certificates made with the JDK's own {@code keytool}, so that a local run and the
 * tests use real TLS without any extra tool or library.
 */
public final class Certificates {
    public static final String ALIAS = "relaypack";

    private Certificates() {
    }

    /**
     * Creates a PKCS12 keystore holding a self-signed RSA key pair for {@code commonName} with the
     * given subject alternative names (e.g. "dns:localhost", "ip:127.0.0.1").
     */
    public static Path selfSigned(Path keystore, String password, String commonName, List<String> subjectAlternativeNames) {
        keytool(ImmutableList.of("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048",
            "-validity", "3650", "-dname", "CN=" + commonName + ", O=relaypack",
            "-ext", "SAN=" + String.join(",", subjectAlternativeNames),
            "-storetype", "PKCS12", "-keystore", keystore.toString(),
            "-storepass", password, "-keypass", password));
        return keystore;
    }

    /** Creates a PKCS12 trust store trusting the certificate of {@code keystore}. */
    public static Path trustStoreFor(Path keystore, String keystorePassword, Path trustStore, String trustStorePassword) {
        Path certificate = trustStore.resolveSibling(trustStore.getFileName() + ".crt");
        keytool(ImmutableList.of("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keystore.toString(),
            "-storepass", keystorePassword, "-file", certificate.toString()));
        keytool(ImmutableList.of("-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
            "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", trustStorePassword));
        return trustStore;
    }

    private static void keytool(List<String> arguments) {
        Path keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool");
        try {
            Process process = new ProcessBuilder(ImmutableList.<String>builder().add(keytool.toString()).addAll(arguments).build())
                .redirectErrorStream(true)
                .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments.get(0) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
