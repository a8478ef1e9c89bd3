package org.relaypack.runner;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * A sample's {@code standins.properties}: what the run command needs besides the James
 * configuration. Keys (NAME is a stand-in's name):
 * <pre>
 * NAME.smtp=10587                 shipped SMTP port of the stand-in (moved like every listener)
 * NAME.imap=10143                 shipped IMAP port where what it received is read back
 * NAME.tls=starttls-required      none (default), starttls, starttls-required, implicit
 * NAME.auth=USER FILE             AUTH required as USER, with the password of conf/FILE
 * NAME.certificate=dns:a,ip:b     names of its certificate (default dns:localhost,ip:127.0.0.1)
 * NAME.replace[.N]=TEXT => NEW    how the sample names this peer; {smtp} is the stand-in's port
 * replace.N=TEXT => NEW           other text replaced for a local run
 * trust=STORE SECRET              the run's CA as conf/STORE (PKCS12), its password in conf/SECRET
 * dns=loopback                    every name resolves to 127.0.0.1, every domain's MX is mx.DOMAIN
 * try.N=COMMAND                   a command the closing summary suggests ({listener.25}, {standin.NAME.imap}, {cli})
 * </pre>
 */
public final class StandInsFile {
    private final List<StandInSpec> standIns;
    private final List<StandInSpec.Replacement> replacements;
    private final Optional<String> trustStore;
    private final Optional<String> trustStoreSecret;
    private final boolean loopbackDns;
    private final List<String> tryCommands;

    public static StandInsFile read(Path sampleDir) {
        Path file = sampleDir.resolve(RelaypackRun.STANDINS_FILE);
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + file + ": " + e, e);
            }
        }
        try {
            return parse(properties);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static StandInsFile parse(Properties properties) {
        Set<String> keys = properties.stringPropertyNames().stream().collect(Collectors.toCollection(TreeSet::new));
        ImmutableList.Builder<StandInSpec> standIns = ImmutableList.builder();
        for (String key : keys) {
            if (key.endsWith(".smtp")) {
                standIns.add(standIn(key.substring(0, key.length() - ".smtp".length()), properties, keys));
            }
        }
        List<StandInSpec.Replacement> replacements = keys.stream().filter(key -> key.startsWith("replace."))
            .map(key -> StandInSpec.Replacement.parse(key, properties.getProperty(key)))
            .collect(ImmutableList.toImmutableList());
        Optional<List<String>> trust = Optional.ofNullable(properties.getProperty("trust"))
            .map(value -> Splitter.on(' ').omitEmptyStrings().trimResults().splitToList(value));
        if (trust.isPresent() && trust.get().size() != 2) {
            throw new IllegalArgumentException("invalid value '" + properties.getProperty("trust") + "' for trust: expected 'STORE SECRET'");
        }
        String dns = properties.getProperty("dns", "system").trim();
        if (!dns.equals("system") && !dns.equals("loopback")) {
            throw new IllegalArgumentException("invalid value '" + dns + "' for dns: expected system or loopback");
        }
        List<String> tryCommands = keys.stream().filter(key -> key.startsWith("try."))
            .sorted((a, b) -> Integer.compare(number(a), number(b)))
            .map(properties::getProperty)
            .collect(ImmutableList.toImmutableList());
        return new StandInsFile(standIns.build(), replacements, trust.map(list -> list.get(0)), trust.map(list -> list.get(1)),
            dns.equals("loopback"), tryCommands);
    }

    private static int number(String key) {
        try {
            return Integer.parseInt(key.substring(key.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid key " + key + ": expected try.NUMBER");
        }
    }

    private static StandInSpec standIn(String name, Properties properties, Set<String> keys) {
        int smtp = port(name + ".smtp", properties);
        int imap = port(name + ".imap", properties);
        StandInSpec.Tls tls = StandInSpec.Tls.parse(name, properties.getProperty(name + ".tls", "none"));
        Optional<List<String>> auth = Optional.ofNullable(properties.getProperty(name + ".auth"))
            .map(value -> Splitter.on(' ').omitEmptyStrings().trimResults().splitToList(value));
        if (auth.isPresent() && auth.get().size() != 2) {
            throw new IllegalArgumentException("invalid value '" + properties.getProperty(name + ".auth") + "' for " + name
                + ".auth: expected 'USERNAME PASSWORD_FILE'");
        }
        List<String> certificate = Splitter.on(',').omitEmptyStrings().trimResults()
            .splitToList(properties.getProperty(name + ".certificate", "dns:localhost,ip:127.0.0.1"));
        List<StandInSpec.Replacement> replacements = keys.stream()
            .filter(key -> key.equals(name + ".replace") || key.startsWith(name + ".replace."))
            .map(key -> StandInSpec.Replacement.parse(key, properties.getProperty(key)))
            .collect(ImmutableList.toImmutableList());
        return new StandInSpec(name, smtp, imap, tls, auth.map(list -> list.get(0)), auth.map(list -> list.get(1)), certificate, replacements);
    }

    private static int port(String key, Properties properties) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value '" + value + "' for " + key + ": expected a port number");
        }
    }

    private StandInsFile(List<StandInSpec> standIns, List<StandInSpec.Replacement> replacements, Optional<String> trustStore,
                         Optional<String> trustStoreSecret, boolean loopbackDns, List<String> tryCommands) {
        this.standIns = standIns;
        this.replacements = replacements;
        this.trustStore = trustStore;
        this.trustStoreSecret = trustStoreSecret;
        this.loopbackDns = loopbackDns;
        this.tryCommands = tryCommands;
    }

    public List<StandInSpec> standIns() {
        return standIns;
    }

    public List<StandInSpec.Replacement> replacements() {
        return replacements;
    }

    public Optional<String> trustStore() {
        return trustStore;
    }

    public Optional<String> trustStoreSecret() {
        return trustStoreSecret;
    }

    public boolean loopbackDns() {
        return loopbackDns;
    }

    public List<String> tryCommands() {
        return tryCommands;
    }
}
