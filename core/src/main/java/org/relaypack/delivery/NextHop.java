package org.relaypack.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.mtasts.MtaStsSettings;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * A named destination of the delivery engine: an upstream smarthost, a mailbox server, or "the
 * recipient domain's own MX" (James as the smarthost facing the internet). Hosts are tried in order.
 */
public final class NextHop {
    public enum Kind {
        /** Deliver to the listed hosts, in order. */
        HOSTS,
        /** Deliver to the MX hosts of each recipient's domain (no host list). */
        RECIPIENT_MX
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = SessionDeadlines.DEFAULT_CONNECT;
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 100;

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private Kind kind = Kind.HOSTS;
        private final ImmutableList.Builder<HostSpec> hosts = ImmutableList.builder();
        private TlsPolicy tls = TlsPolicy.of(TlsMode.OPPORTUNISTIC);
        private Optional<Credentials> credentials = Optional.empty();
        private SessionDeadlines deadlines = SessionDeadlines.DEFAULTS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxMessagesPerConnection = DEFAULT_MAX_MESSAGES_PER_CONNECTION;
        private Optional<String> heloName = Optional.empty();
        private Optional<Integer> mxPort = Optional.empty();
        private LoopDetection loopDetection = LoopDetection.defaults();
        private Optional<DaneSettings> dane = Optional.empty();
        private Optional<MtaStsSettings> mtaSts = Optional.empty();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
        }

        public Builder kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        public Builder host(HostSpec host) {
            this.hosts.add(host);
            return this;
        }

        public Builder hosts(List<HostSpec> hosts) {
            this.hosts.addAll(hosts);
            return this;
        }

        public Builder tls(TlsPolicy tls) {
            this.tls = tls;
            return this;
        }

        public Builder credentials(Credentials credentials) {
            this.credentials = Optional.of(credentials);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.deadlines = deadlines.toBuilder().connect(connectTimeout).build();
            return this;
        }

        /** Every reply deadline at once (greeting, each command, the end of the message). */
        public Builder readTimeout(Duration readTimeout) {
            this.deadlines = deadlines.toBuilder().replies(readTimeout).build();
            return this;
        }

        public Builder deadlines(SessionDeadlines deadlines) {
            this.deadlines = deadlines;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder maxMessagesPerConnection(int maxMessagesPerConnection) {
            this.maxMessagesPerConnection = maxMessagesPerConnection;
            return this;
        }

        public Builder heloName(String heloName) {
            this.heloName = Optional.of(heloName);
            return this;
        }

        /** For {@link Kind#RECIPIENT_MX}: the port of the MX hosts, instead of 25 (Postfix's smtp_tcp_port). */
        public Builder mxPort(int mxPort) {
            this.mxPort = Optional.of(mxPort);
            return this;
        }

        /** Which addresses are this relay: an MX host there is a mail loop. */
        public Builder loopDetection(LoopDetection loopDetection) {
            this.loopDetection = Objects.requireNonNull(loopDetection);
            return this;
        }

        /** For {@code <tls mode="dane">}: the validating resolver's settings and the fallback policy. */
        public Builder dane(DaneSettings dane) {
            this.dane = Optional.of(dane);
            return this;
        }

        /** How the MTA-STS policies are fetched, for {@code <tls mode="mta-sts">}. */
        public Builder mtaSts(MtaStsSettings mtaSts) {
            this.mtaSts = Optional.of(mtaSts);
            return this;
        }

        public NextHop build() {
            ImmutableList<HostSpec> hostList = hosts.build();
            if (kind == Kind.HOSTS && hostList.isEmpty()) {
                throw new IllegalArgumentException("next hop '" + name + "' has no host");
            }
            if (kind == Kind.RECIPIENT_MX && !hostList.isEmpty()) {
                throw new IllegalArgumentException("next hop '" + name + "' of type mx takes no host");
            }
            if (kind == Kind.HOSTS && mxPort.isPresent()) {
                throw new IllegalArgumentException("next hop '" + name + "' lists its hosts: a port goes with each host");
            }
            if (dane.isPresent() != (tls.mode() == TlsMode.DANE)) {
                throw new IllegalArgumentException("next hop '" + name + "': DANE settings go with tls mode dane, and only with it");
            }
            if (dane.isPresent() && kind != Kind.RECIPIENT_MX) {
                throw new IllegalArgumentException("next hop '" + name + "': tls mode dane is only for type mx");
            }
            if (tls.mode() == TlsMode.MTA_STS && kind != Kind.RECIPIENT_MX) {
                throw new IllegalArgumentException("next hop '" + name + "': tls mode mta-sts is only for type mx");
            }
            Optional<MtaStsSettings> stsSettings = tls.mode() == TlsMode.MTA_STS
                ? Optional.of(mtaSts.orElse(MtaStsSettings.defaults())) : Optional.empty();
            return new NextHop(name, kind, hostList, tls, credentials, deadlines,
                maxConnections, idleTimeout, maxMessagesPerConnection, heloName, mxPort, loopDetection, dane, stsSettings);
        }
    }

    private final String name;
    private final Kind kind;
    private final ImmutableList<HostSpec> hosts;
    private final TlsPolicy tls;
    private final Optional<Credentials> credentials;
    private final SessionDeadlines deadlines;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final int maxMessagesPerConnection;
    private final Optional<String> heloName;
    private final Optional<Integer> mxPort;
    private final LoopDetection loopDetection;
    private final Optional<DaneSettings> dane;
    private final Optional<MtaStsSettings> mtaSts;
    /** Immutable, and a key of the transport's session pools: hashed once. */
    private final int hash;

    private NextHop(String name, Kind kind, ImmutableList<HostSpec> hosts, TlsPolicy tls, Optional<Credentials> credentials,
                    SessionDeadlines deadlines, int maxConnections, Duration idleTimeout,
                    int maxMessagesPerConnection, Optional<String> heloName,
                    Optional<Integer> mxPort, LoopDetection loopDetection, Optional<DaneSettings> dane,
                    Optional<MtaStsSettings> mtaSts) {
        this.name = name;
        this.kind = kind;
        this.hosts = hosts;
        this.tls = tls;
        this.credentials = credentials;
        this.deadlines = deadlines;
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
        this.maxMessagesPerConnection = maxMessagesPerConnection;
        this.heloName = heloName;
        this.mxPort = mxPort;
        this.loopDetection = loopDetection;
        this.dane = dane;
        this.mtaSts = mtaSts;
        this.hash = Objects.hash(name, kind, hosts, tls, credentials, deadlines, maxConnections,
            idleTimeout, maxMessagesPerConnection, heloName, mxPort, loopDetection, dane, mtaSts);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public ImmutableList<HostSpec> hosts() {
        return hosts;
    }

    public TlsPolicy tls() {
        return tls;
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    public Duration connectTimeout() {
        return deadlines.connect();
    }

    /** The deadlines of each step of a session (connect, replies, writes). */
    public SessionDeadlines deadlines() {
        return deadlines;
    }

    /** Upper bound of simultaneous connections to one host of this hop. */
    public int maxConnections() {
        return maxConnections;
    }

    /** An idle pooled connection is closed (QUIT) after this long. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public int maxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    /** The name sent in EHLO; absent means the server's host name. */
    public Optional<String> heloName() {
        return heloName;
    }

    /** For {@link Kind#RECIPIENT_MX}: the port of the MX hosts; absent means 25. */
    public Optional<Integer> mxPort() {
        return mxPort;
    }

    /** Which addresses are this relay (from {@code <nexthops><loopDetection/>}). */
    public LoopDetection loopDetection() {
        return loopDetection;
    }

    /** Present exactly when the TLS mode is dane. */
    public Optional<DaneSettings> dane() {
        return dane;
    }

    /** Present exactly under {@code <tls mode="mta-sts">}: how the recipient domains' policies are fetched. */
    public Optional<MtaStsSettings> mtaSts() {
        return mtaSts;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof NextHop) {
            NextHop that = (NextHop) o;
            return name.equals(that.name) && kind == that.kind && hosts.equals(that.hosts) && tls.equals(that.tls)
                && credentials.equals(that.credentials) && deadlines.equals(that.deadlines)
                && maxConnections == that.maxConnections
                && idleTimeout.equals(that.idleTimeout) && maxMessagesPerConnection == that.maxMessagesPerConnection
                && heloName.equals(that.heloName) && mxPort.equals(that.mxPort)
                && loopDetection.equals(that.loopDetection) && dane.equals(that.dane) && mtaSts.equals(that.mtaSts);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("kind", kind)
            .add("hosts", hosts)
            .add("tls", tls)
            .add("credentials", credentials)
            .add("mxPort", mxPort)
            .toString();
    }
}
