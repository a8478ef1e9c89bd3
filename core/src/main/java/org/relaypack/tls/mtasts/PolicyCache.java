package org.relaypack.tls.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies fetched, in memory and, when a directory is given, one file per domain
 * ({@code DOMAIN.properties}: domain, TXT id, fetch time, the policy text), written to a temporary
 * file and moved into place atomically, and read back when the cache is made, so that a policy
 * keeps being enforced across a restart (RFC 8461 5.1). Thread-safe.
 */
final class PolicyCache {
    private static final Logger LOGGER = LoggerFactory.getLogger(PolicyCache.class);
    private static final String SUFFIX = ".properties";
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

    static PolicyCache inMemory() {
        return new PolicyCache(Optional.empty());
    }

    /** Reads every policy file of the directory (made when the first policy is stored). */
    static PolicyCache inDirectory(Path directory) {
        PolicyCache cache = new PolicyCache(Optional.of(directory));
        cache.load(directory);
        return cache;
    }

    private final Optional<Path> directory;
    private final Map<String, MtaStsPolicy> policies = new ConcurrentHashMap<>();

    private PolicyCache(Optional<Path> directory) {
        this.directory = directory;
    }

    Optional<MtaStsPolicy> get(String domain) {
        return Optional.ofNullable(policies.get(domain));
    }

    void put(MtaStsPolicy policy) {
        policies.put(policy.domain(), policy);
        if (directory.isPresent()) {
            try {
                write(directory.get(), policy);
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("MTA-STS: cannot write the policy of {} to {}: it is cached in memory only and lost at restart",
                    policy.domain(), directory.get(), e);
            }
        }
    }

    private static void write(Path directory, MtaStsPolicy policy) throws IOException {
        if (!DOMAIN.matcher(policy.domain()).matches()) {
            throw new IOException("'" + policy.domain() + "' is no file name");
        }
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty("domain", policy.domain());
        properties.setProperty("id", policy.id());
        properties.setProperty("fetchedAt", policy.fetchedAt().toString());
        properties.setProperty("policy", policy.text());
        Path temporary = Files.createTempFile(directory, policy.domain(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                properties.store(out, "MTA-STS policy of " + policy.domain() + ", written by relaypack");
            }
            Files.move(temporary, directory.resolve(policy.domain() + SUFFIX), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private void load(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                read(file).ifPresent(policy -> policies.put(policy.domain(), policy));
            }
        } catch (IOException e) {
            LOGGER.warn("MTA-STS: cannot list the policy cache {}: starting without cached policies", directory, e);
        }
        LOGGER.info("MTA-STS: {} cached polic{} read from {}", policies.size(), policies.size() == 1 ? "y" : "ies", directory);
    }

    private static Optional<MtaStsPolicy> read(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
            String domain = required(properties, "domain");
            if (!file.getFileName().toString().equals(domain + SUFFIX)) {
                throw new PolicyUnavailable("it holds the policy of " + domain);
            }
            return Optional.of(PolicyText.parse(domain, required(properties, "id"), required(properties, "policy"),
                Instant.parse(required(properties, "fetchedAt"))));
        } catch (IOException | PolicyUnavailable | DateTimeParseException | IllegalArgumentException e) {
            LOGGER.warn("MTA-STS: ignoring the policy cache file {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static String required(Properties properties, String key) throws PolicyUnavailable {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new PolicyUnavailable("it has no " + key);
        }
        return value;
    }
}
