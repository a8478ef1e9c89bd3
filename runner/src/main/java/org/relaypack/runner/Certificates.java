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

    /** A certificate authority: {@code ca.p12} (its key, alias "ca") and {@code ca.crt} (PEM) in {@code folder}. */
    public static Path newCa(Path folder, String password, String caName) throws IOException {
        Files.createDirectories(folder);
        Path ca = folder.resolve("ca.p12");
        keytool(ImmutableList.of("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=" + caName + ", O=relaypack", "-ext", "bc:c", "-storetype", "PKCS12",
            "-keystore", ca.toString(), "-storepass", password, "-keypass", password));
        keytool(ImmutableList.of("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password,
            "-file", folder.resolve("ca.crt").toString()));
        return folder;
    }

    /**
     * A server key pair signed by the CA of {@link #newCa}, as {@code server.p12} (alias
     * {@link #ALIAS}, with its chain) in {@code folder}; the first name is its common name.
     */
    public static Path signedBy(Path caFolder, String password, Path folder, List<String> subjectAlternativeNames) throws IOException {
        Files.createDirectories(folder);
        Path ca = caFolder.resolve("ca.p12");
        Path caCertificate = caFolder.resolve("ca.crt");
        Path server = folder.resolve("server.p12");
        Path request = folder.resolve("server.csr");
        Path certificate = folder.resolve("server.crt");
        Files.deleteIfExists(server);
        String commonName = subjectAlternativeNames.get(0).replaceFirst("^[a-z]+:", "");
        keytool(ImmutableList.of("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=" + commonName + ", O=relaypack", "-storetype", "PKCS12",
            "-keystore", server.toString(), "-storepass", password, "-keypass", password));
        keytool(ImmutableList.of("-certreq", "-alias", ALIAS, "-keystore", server.toString(), "-storepass", password,
            "-file", request.toString()));
        keytool(ImmutableList.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password,
            "-infile", request.toString(), "-outfile", certificate.toString(), "-validity", "3650",
            "-ext", "SAN=" + String.join(",", subjectAlternativeNames), "-ext", "EKU=serverAuth"));
        keytool(ImmutableList.of("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
            "-keystore", server.toString(), "-storepass", password));
        keytool(ImmutableList.of("-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
            "-keystore", server.toString(), "-storepass", password));
        return server;
    }

    /** A PKCS12 trust store holding one CA certificate (PEM or DER file). */
    public static Path trustStoreOf(Path caCertificate, Path trustStore, String password) {
        keytool(ImmutableList.of("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
            "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", password));
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
