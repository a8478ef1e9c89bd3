package org.relaypack.delivery;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.base.MoreObjects;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;

/**
 * The {@code <nexthops>} section of relaypack.xml, parsed and checked once. See docs/relaypack-xml.md.
 */
public final class NextHopsConfiguration {
    public static final String SECTION = "nexthops";

    static final String NEXTHOP = "nexthop";
    static final String RETRY = "retry";
    static final String RETRY_DELAYS = "delays";
    static final String RETRY_MAX_ATTEMPTS = "maxAttempts";

    static final String LOOP_DETECTION = "loopDetection";
    static final String LOCAL_ADDRESSES = "localAddresses";
    static final String ALLOW_LOOPBACK_MX = "allowLoopbackMx";

    static final String NAME = "name";
    static final String TYPE = "type";
    static final String TYPE_HOSTS = "hosts";
    static final String TYPE_MX = "mx";
    static final String FALLBACK = "fallback";
    static final String PORT = "port";
    static final String CONCURRENCY = "concurrency";
    static final String FIRST_ATTEMPT = "firstAttempt";
    static final String HOST = "host";
    static final String TLS = "tls";
    static final String TLS_MODE = "mode";
    static final String TLS_VERIFY = "verify";
    static final String TLS_MIN_PROTOCOL = "minProtocol";
    static final String TRUSTSTORE = "truststore";
    static final String TRUSTSTORE_PATH = "path";
    static final String TRUSTSTORE_TYPE = "type";
    static final String AUTH = "auth";
    static final String AUTH_USERNAME = "username";
    static final String TIMEOUTS = "timeouts";
    static final String TIMEOUT_CONNECT = "connect";
    static final String TIMEOUT_READ = "read";
    static final String TIMEOUT_HELO = "helo";
    static final String TIMEOUT_MAIL = "mail";
    static final String TIMEOUT_RCPT = "rcpt";
    static final String TIMEOUT_DATA_INIT = "dataInit";
    static final String TIMEOUT_DATA_TRANSFER = "dataTransfer";
    static final String TIMEOUT_DATA_DONE = "dataDone";
    static final String TIMEOUT_RSET = "rset";
    static final ImmutableSet<String> TIMEOUT_ATTRIBUTES = ImmutableSet.of(TIMEOUT_CONNECT, TIMEOUT_READ, TIMEOUT_HELO, TIMEOUT_MAIL,
        TIMEOUT_RCPT, TIMEOUT_DATA_INIT, TIMEOUT_DATA_TRANSFER, TIMEOUT_DATA_DONE, TIMEOUT_RSET);
    /** No step of a session may be given more than this. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** A longer wait between two attempts would outlive any sensible bounce deadline (Postfix's maximal_backoff_time is 4000s). */
    static final Duration MAX_RETRY_DELAY = Duration.ofDays(1);
    static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);
    static final String POOL = "pool";
    static final String POOL_MAX_CONNECTIONS = "maxConnections";
    static final String POOL_IDLE_TIMEOUT = "idleTimeout";
    static final String POOL_MAX_MESSAGES = "maxMessagesPerConnection";
    static final String HELO_NAME = "heloName";
    static final String LANES = "lanes";
    static final String LANES_DESTINATION_CONCURRENCY = "destinationConcurrency";
    static final String LANES_DEAD_FOR = "deadFor";

    static final ImmutableSet<TlsProtocolVersion> MIN_PROTOCOLS = ImmutableSet.of(TlsProtocolVersion.TLS_V1_2, TlsProtocolVersion.TLS_V1_3);
    static final ImmutableSet<TlsProtocolVersion> OPPORTUNISTIC_MIN_PROTOCOLS = ImmutableSet.of(TlsProtocolVersion.TLS_V1,
        TlsProtocolVersion.TLS_V1_1, TlsProtocolVersion.TLS_V1_2, TlsProtocolVersion.TLS_V1_3);
    static final ImmutableSet<String> TRUSTSTORE_TYPES = ImmutableSet.of("PKCS12", "JKS");
    static final String DEFAULT_TRUSTSTORE_TYPE = "PKCS12";
    /** A hop name becomes part of a queue name and of metric names. */
    static final int MAX_CONCURRENCY = 64;
    static final int MAX_ATTEMPTS_LIMIT = 1000;

    public static NextHopsConfiguration empty() {
        return new NextHopsConfiguration(ImmutableMap.of());
    }

    public static NextHopsConfiguration of(NextHop... hops) {
        ImmutableMap.Builder<String, NextHop> builder = ImmutableMap.builder();
        for (NextHop hop : hops) {
            builder.put(hop.name(), hop);
        }
        return new NextHopsConfiguration(builder.build());
    }

    /** Reads {@code <nexthops>} from the root of relaypack.xml; absent section means no hops. */
    public static NextHopsConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml, FileSystem fileSystem,
                                             Function<String, String> environment) throws ConfigurationException {
        Optional<ConfigElement> section = ConfigElement.root(relaypackXml).child(SECTION);
        if (section.isEmpty()) {
            return empty();
        }
        return new Parser(new Secrets(fileSystem, environment)).parse(section.get());
    }

    private static final class Parser {
        private final Secrets secrets;

        private Parser(Secrets secrets) {
            this.secrets = secrets;
        }

        NextHopsConfiguration parse(ConfigElement section) throws ConfigurationException {
            section.checkAllowed(ImmutableSet.of(), ImmutableSet.of(RETRY, LOOP_DETECTION, NEXTHOP));
            RetryPolicy defaultRetry = retry(section, RetryPolicy.defaults());
            LoopDetection loopDetection = loopDetection(section);
            Map<String, NextHop> hops = new LinkedHashMap<>();
            for (ConfigElement element : section.children(NEXTHOP)) {
                NextHop hop = hop(element, defaultRetry, loopDetection);
                if (hops.containsKey(hop.name())) {
                    throw element.error(NAME, hop.name(), "is defined twice");
                }
                hops.put(hop.name(), hop);
            }
            checkFallbacks(section, hops);
            return new NextHopsConfiguration(ImmutableMap.copyOf(hops));
        }

        private RetryPolicy retry(ConfigElement parent, RetryPolicy defaults) throws ConfigurationException {
            Optional<ConfigElement> retry = parent.child(RETRY);
            if (retry.isEmpty()) {
                return defaults;
            }
            ConfigElement element = retry.get().checkAllowed(ImmutableSet.of(RETRY_DELAYS, RETRY_MAX_ATTEMPTS), ImmutableSet.of());
            ImmutableList<Duration> delays = defaults.delays();
            Optional<String> delaysText = element.attribute(RETRY_DELAYS);
            if (delaysText.isPresent()) {
                ImmutableList.Builder<Duration> parsed = ImmutableList.builder();
                for (String delay : Splitter.on(',').trimResults().split(delaysText.get())) {
                    if (delay.isEmpty()) {
                        throw element.error(RETRY_DELAYS, delaysText.get(), "has an empty entry");
                    }
                    Duration duration = element.parseDuration(RETRY_DELAYS, delay);
                    if (duration.isZero()) {
                        throw element.error(RETRY_DELAYS, delaysText.get(), "has a zero delay");
                    }
                    if (duration.compareTo(MAX_RETRY_DELAY) > 0) {
                        throw element.error(RETRY_DELAYS, delaysText.get(), "has a delay longer than 1d (" + delay + ")");
                    }
                    parsed.add(duration);
                }
                delays = parsed.build();
            }
            int maxAttempts = element.intAttribute(RETRY_MAX_ATTEMPTS, 1, MAX_ATTEMPTS_LIMIT).orElse(defaults.maxAttempts());
            return RetryPolicy.of(delays, maxAttempts);
        }

        private LoopDetection loopDetection(ConfigElement section) throws ConfigurationException {
            Optional<ConfigElement> child = section.child(LOOP_DETECTION);
            if (child.isEmpty()) {
                return LoopDetection.defaults();
            }
            ConfigElement element = child.get().checkAllowed(ImmutableSet.of(LOCAL_ADDRESSES, ALLOW_LOOPBACK_MX), ImmutableSet.of());
            ImmutableSet.Builder<InetAddress> addresses = ImmutableSet.builder();
            Optional<String> text = element.attribute(LOCAL_ADDRESSES);
            if (text.isPresent()) {
                for (String address : Splitter.on(',').trimResults().omitEmptyStrings().split(text.get())) {
                    if (!InetAddresses.isInetAddress(address)) {
                        throw element.error(LOCAL_ADDRESSES, address, "is not an IP address");
                    }
                    addresses.add(InetAddresses.forString(address));
                }
            }
            return LoopDetection.of(addresses.build(), element.booleanAttribute(ALLOW_LOOPBACK_MX).orElse(false));
        }

        private NextHop hop(ConfigElement element, RetryPolicy defaultRetry, LoopDetection loopDetection) throws ConfigurationException {
            element.checkAllowed(ImmutableSet.of(NAME, TYPE, FALLBACK, CONCURRENCY, PORT, FIRST_ATTEMPT),
                ImmutableSet.of(HOST, TLS, AUTH, TIMEOUTS, POOL, HELO_NAME, RETRY, LANES));
            String name = element.requiredAttribute(NAME);
            if (!HopName.isValid(name)) {
                throw element.error(NAME, name, "must be " + HopName.SYNTAX);
            }
            NextHop.Builder builder = NextHop.builder(name).loopDetection(loopDetection);
            String type = element.attribute(TYPE).orElse(TYPE_HOSTS);
            ImmutableList<ConfigElement> hostElements = element.children(HOST);
            switch (type) {
                case TYPE_HOSTS:
                    if (hostElements.isEmpty()) {
                        throw element.error("needs at least one <host> (or type=\"mx\" to deliver to the recipient domain's MX)");
                    }
                    if (element.attribute(PORT).isPresent()) {
                        throw element.error(PORT, element.attribute(PORT).get(),
                            "is only for type=\"mx\": write the port of each <host> as [host]:port");
                    }
                    builder.kind(NextHop.Kind.HOSTS);
                    break;
                case TYPE_MX:
                    if (!hostElements.isEmpty()) {
                        throw element.error("type=\"mx\" delivers to each recipient domain's MX and takes no <host>");
                    }
                    builder.kind(NextHop.Kind.RECIPIENT_MX);
                    Optional<Integer> mxPort = element.intAttribute(PORT, 1, 65535);
                    if (mxPort.isPresent()) {
                        builder.mxPort(mxPort.get());
                    }
                    break;
                default:
                    throw element.error(TYPE, type, "is not one of hosts, mx");
            }
            for (ConfigElement hostElement : hostElements) {
                hostElement.checkAllowed(ImmutableSet.of(), ImmutableSet.of());
                String text = hostElement.requiredText();
                try {
                    builder.host(HostSpec.parse(text));
                } catch (IllegalArgumentException e) {
                    throw hostElement.error(HOST, text, "is not [host]:port, host or host:port: " + e.getMessage());
                }
            }
            TlsPolicy tls = tls(element);
            builder.tls(tls);
            Optional<Credentials> credentials = auth(element);
            if (credentials.isPresent()) {
                if (!tls.mode().requiresTls()) {
                    throw element.error("<auth> needs <tls mode=\"starttls-required\"> or <tls mode=\"implicit\">: "
                        + "credentials are never sent without TLS (tls mode is " + tls.mode().configValue() + ")");
                }
                builder.credentials(credentials.get());
            }
            timeouts(element, builder);
            pool(element, builder);
            Optional<ConfigElement> helo = element.child(HELO_NAME);
            if (helo.isPresent()) {
                helo.get().checkAllowed(ImmutableSet.of(), ImmutableSet.of());
                builder.heloName(helo.get().requiredText());
            }
            int concurrency = element.intAttribute(CONCURRENCY, 1, MAX_CONCURRENCY).orElse(HopScheduling.DEFAULT_CONCURRENCY);
            NextHop hop = builder.build();
            return hop.withScheduling(HopScheduling.of(retry(element, defaultRetry), concurrency, element.attribute(FALLBACK), firstAttempt(element, hop))
                .withLanes(lanes(element, hop)));
        }

        private LaneLimits lanes(ConfigElement hop, NextHop nextHop) throws ConfigurationException {
            Optional<ConfigElement> lanes = hop.child(LANES);
            if (lanes.isEmpty()) {
                return LaneLimits.DEFAULTS;
            }
            ConfigElement element = lanes.get().checkAllowed(ImmutableSet.of(LANES_DESTINATION_CONCURRENCY, LANES_DEAD_FOR), ImmutableSet.of());
            if (nextHop.kind() != NextHop.Kind.RECIPIENT_MX) {
                throw element.error("is only for type=\"mx\": a hop with <host> entries has one destination");
            }
            int destinationConcurrency = element.intAttribute(LANES_DESTINATION_CONCURRENCY, 1, LaneLimits.MAX_DESTINATION_CONCURRENCY)
                .orElse(LaneLimits.DEFAULT_DESTINATION_CONCURRENCY);
            Optional<Duration> deadFor = element.durationAttribute(LANES_DEAD_FOR);
            if (deadFor.isPresent() && (deadFor.get().compareTo(LaneLimits.MIN_DEAD_FOR) < 0 || deadFor.get().compareTo(LaneLimits.MAX_DEAD_FOR) > 0)) {
                throw element.error(LANES_DEAD_FOR, element.attribute(LANES_DEAD_FOR).get(), "must be between 1s and 1h");
            }
            return LaneLimits.of(destinationConcurrency, deadFor.orElse(LaneLimits.DEFAULT_DEAD_FOR));
        }

        private HopScheduling.FirstAttempt firstAttempt(ConfigElement element, NextHop hop) throws ConfigurationException {
            Optional<String> text = element.attribute(FIRST_ATTEMPT);
            if (text.isEmpty()) {
                return HopScheduling.FirstAttempt.defaultFor(hop);
            }
            return HopScheduling.FirstAttempt.parse(text.get())
                .orElseThrow(() -> element.error(FIRST_ATTEMPT, text.get(), "is not one of inline, queue"));
        }

        private TlsPolicy tls(ConfigElement hop) throws ConfigurationException {
            Optional<ConfigElement> tls = hop.child(TLS);
            if (tls.isEmpty()) {
                return TlsPolicy.of(TlsMode.OPPORTUNISTIC);
            }
            ConfigElement element = tls.get().checkAllowed(ImmutableSet.of(TLS_MODE, TLS_VERIFY, TLS_MIN_PROTOCOL), ImmutableSet.of(TRUSTSTORE));
            String modeText = element.attribute(TLS_MODE).orElse(TlsMode.OPPORTUNISTIC.configValue());
            TlsMode mode = TlsMode.parse(modeText)
                .orElseThrow(() -> element.error(TLS_MODE, modeText, "is not one of none, opportunistic, starttls-required, implicit"));
            Optional<Boolean> verifyGiven = element.booleanAttribute(TLS_VERIFY);
            if (mode == TlsMode.NONE && verifyGiven.orElse(false)) {
                throw element.error(TLS_VERIFY, "true", "needs TLS, and mode none never uses it: remove verify, or choose mode "
                    + "starttls-required or implicit");
            }
            boolean verify = verifyGiven.orElse(mode.requiresTls());
            Optional<String> minProtocolText = element.attribute(TLS_MIN_PROTOCOL);
            TlsProtocolVersion minProtocol = TlsPolicy.defaultMinProtocol(mode);
            if (minProtocolText.isPresent()) {
                // opportunistic TLS may go as low as TLSv1 (better than plaintext); a required mode keeps its TLSv1.2 floor
                ImmutableSet<TlsProtocolVersion> allowed = mode.requiresTls() ? MIN_PROTOCOLS : OPPORTUNISTIC_MIN_PROTOCOLS;
                minProtocol = TlsProtocolVersion.fromJsseName(minProtocolText.get())
                    .filter(allowed::contains)
                    .orElseThrow(() -> element.error(TLS_MIN_PROTOCOL, minProtocolText.get(), "is not one of "
                        + allowed.stream().map(TlsProtocolVersion::jsseName).collect(Collectors.joining(", "))
                        + " (mode " + mode.configValue() + ")"));
            }
            if (mode == TlsMode.NONE && element.child(TRUSTSTORE).isPresent()) {
                throw element.error("mode none takes no <truststore>");
            }
            return new TlsPolicy(mode, verify, trustStore(element), minProtocol);
        }

        private Optional<TlsPolicy.TrustStore> trustStore(ConfigElement tls) throws ConfigurationException {
            Optional<ConfigElement> truststore = tls.child(TRUSTSTORE);
            if (truststore.isEmpty()) {
                return Optional.empty();
            }
            ConfigElement element = truststore.get().checkAllowed(
                ImmutableSet.<String>builder().add(TRUSTSTORE_PATH, TRUSTSTORE_TYPE).addAll(Secrets.ATTRIBUTES).build(),
                ImmutableSet.of());
            String path = element.requiredAttribute(TRUSTSTORE_PATH);
            File file = secrets.readableFile(element, TRUSTSTORE_PATH, path);
            String type = element.attribute(TRUSTSTORE_TYPE).orElse(DEFAULT_TRUSTSTORE_TYPE);
            if (!TRUSTSTORE_TYPES.contains(type)) {
                throw element.error(TRUSTSTORE_TYPE, type, "is not one of PKCS12, JKS");
            }
            Optional<String> password = secrets.read(element).map(Secrets.Secret::value);
            TlsPolicy.TrustStore trustStore = new TlsPolicy.TrustStore(file.getAbsolutePath(), type, password);
            checkLoads(element, path, trustStore);
            return Optional.of(trustStore);
        }

        /** Loads the trust store now, so that a wrong password, type or file stops James at startup, not the first delivery. */
        private void checkLoads(ConfigElement element, String path, TlsPolicy.TrustStore trustStore) throws ConfigurationException {
            KeyStore keyStore;
            try {
                keyStore = trustStore.load();
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                Throwable cause = e.getCause() instanceof UnrecoverableKeyException ? e.getCause() : e;
                throw element.error(TRUSTSTORE_PATH, path, "cannot be loaded as a " + trustStore.type() + " trust store"
                    + (trustStore.password().isPresent() ? " with the password given" : " without a password") + ": " + cause.getMessage());
            }
            try {
                if (Collections.list(keyStore.aliases()).stream().noneMatch(alias -> isCertificate(keyStore, alias))) {
                    throw element.error(TRUSTSTORE_PATH, path, "holds no certificate to trust");
                }
            } catch (KeyStoreException e) {
                throw element.error(TRUSTSTORE_PATH, path, "cannot be read: " + e.getMessage());
            }
        }

        private static boolean isCertificate(KeyStore keyStore, String alias) {
            try {
                return keyStore.getCertificate(alias) != null;
            } catch (KeyStoreException e) {
                return false;
            }
        }

        private Optional<Credentials> auth(ConfigElement hop) throws ConfigurationException {
            Optional<ConfigElement> auth = hop.child(AUTH);
            if (auth.isEmpty()) {
                return Optional.empty();
            }
            ConfigElement element = auth.get().checkAllowed(
                ImmutableSet.<String>builder().add(AUTH_USERNAME).addAll(Secrets.ATTRIBUTES).build(),
                ImmutableSet.of());
            String username = element.requiredAttribute(AUTH_USERNAME);
            Secrets.Secret secret = secrets.read(element)
                .orElseThrow(() -> element.error("needs one of passwordFile, passwordEnv, password"));
            String password = secret.value();
            return Optional.of(new Credentials(username, () -> password, secret.source()));
        }

        private void timeouts(ConfigElement hop, NextHop.Builder builder) throws ConfigurationException {
            Optional<ConfigElement> timeouts = hop.child(TIMEOUTS);
            if (timeouts.isPresent()) {
                ConfigElement element = timeouts.get().checkAllowed(TIMEOUT_ATTRIBUTES, ImmutableSet.of());
                SessionDeadlines.Builder deadlines = SessionDeadlines.builder();
                // "read" is every reply deadline at once; the named steps below override it
                Optional<Duration> read = timeout(element, TIMEOUT_READ);
                if (read.isPresent()) {
                    deadlines.replies(read.get());
                }
                timeout(element, TIMEOUT_CONNECT).ifPresent(deadlines::connect);
                timeout(element, TIMEOUT_HELO).ifPresent(deadlines::helo);
                timeout(element, TIMEOUT_MAIL).ifPresent(deadlines::mail);
                timeout(element, TIMEOUT_RCPT).ifPresent(deadlines::rcpt);
                timeout(element, TIMEOUT_DATA_INIT).ifPresent(deadlines::dataInit);
                timeout(element, TIMEOUT_DATA_TRANSFER).ifPresent(deadlines::dataTransfer);
                timeout(element, TIMEOUT_DATA_DONE).ifPresent(deadlines::dataDone);
                timeout(element, TIMEOUT_RSET).ifPresent(deadlines::rset);
                builder.deadlines(deadlines.build());
            }
        }

        private Optional<Duration> timeout(ConfigElement element, String attribute) throws ConfigurationException {
            return bounded(element, attribute, MAX_TIMEOUT, "1h");
        }

        /** A duration more than zero and at most {@code max}. */
        private Optional<Duration> bounded(ConfigElement element, String attribute, Duration max, String maxText) throws ConfigurationException {
            Optional<Duration> duration = element.durationAttribute(attribute);
            if (duration.isPresent() && duration.get().isZero()) {
                throw element.error(attribute, element.attribute(attribute).get(), "must be more than zero");
            }
            if (duration.isPresent() && duration.get().compareTo(max) > 0) {
                throw element.error(attribute, element.attribute(attribute).get(), "must be at most " + maxText);
            }
            return duration;
        }

        private void pool(ConfigElement hop, NextHop.Builder builder) throws ConfigurationException {
            Optional<ConfigElement> pool = hop.child(POOL);
            if (pool.isPresent()) {
                ConfigElement element = pool.get().checkAllowed(
                    ImmutableSet.of(POOL_MAX_CONNECTIONS, POOL_IDLE_TIMEOUT, POOL_MAX_MESSAGES), ImmutableSet.of());
                builder.maxConnections(element.intAttribute(POOL_MAX_CONNECTIONS, 1, 1000).orElse(PoolLimits.DEFAULT_MAX_CONNECTIONS));
                builder.idleTimeout(bounded(element, POOL_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT, "1h").orElse(PoolLimits.DEFAULT_IDLE_TIMEOUT));
                builder.maxMessagesPerConnection(element.intAttribute(POOL_MAX_MESSAGES, 1, 100_000)
                    .orElse(PoolLimits.DEFAULT_MAX_MESSAGES_PER_CONNECTION));
            }
        }

        private void checkFallbacks(ConfigElement section, Map<String, NextHop> hops) throws ConfigurationException {
            for (ConfigElement element : section.children(NEXTHOP)) {
                String name = element.requiredAttribute(NAME);
                Set<String> seen = new HashSet<>();
                seen.add(name);
                Optional<String> next = hops.get(name).scheduling().fallback();
                while (next.isPresent()) {
                    if (!hops.containsKey(next.get())) {
                        throw element.error(FALLBACK, next.get(), "names no <nexthop> (defined: " + String.join(", ", hops.keySet()) + ")");
                    }
                    if (!seen.add(next.get())) {
                        throw element.error(FALLBACK, hops.get(name).scheduling().fallback().get(), "makes a loop of fallbacks through " + next.get());
                    }
                    next = hops.get(next.get()).scheduling().fallback();
                }
            }
        }
    }

    private final ImmutableMap<String, NextHop> hops;

    private NextHopsConfiguration(ImmutableMap<String, NextHop> hops) {
        this.hops = hops;
    }

    /** The hops in the order of the file. */
    public ImmutableMap<String, NextHop> hops() {
        return hops;
    }

    public Optional<NextHop> hop(String name) {
        return Optional.ofNullable(hops.get(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NextHopsConfiguration && hops.equals(((NextHopsConfiguration) o).hops);
    }

    @Override
    public int hashCode() {
        return hops.hashCode();
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("hops", hops.values()).toString();
    }
}
