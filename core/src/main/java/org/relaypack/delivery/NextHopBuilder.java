package org.relaypack.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.mtasts.MtaStsSettings;

import com.google.common.collect.ImmutableList;

/** Builds a {@link NextHop}: the hop's settings as relaypack.xml gives them, checked together in {@link #build()}. */
public final class NextHopBuilder {
    private final String name;
    private NextHop.Kind kind = NextHop.Kind.HOSTS;
    private final ImmutableList.Builder<HostSpec> hosts = ImmutableList.builder();
    private TlsPolicy tls = TlsPolicy.of(TlsMode.OPPORTUNISTIC);
    private Optional<Credentials> credentials = Optional.empty();
    private SessionDeadlines deadlines = SessionDeadlines.DEFAULTS;
    private int maxConnections = PoolLimits.DEFAULT_MAX_CONNECTIONS;
    private Duration idleTimeout = PoolLimits.DEFAULT_IDLE_TIMEOUT;
    private int maxMessagesPerConnection = PoolLimits.DEFAULT_MAX_MESSAGES_PER_CONNECTION;
    private Optional<String> heloName = Optional.empty();
    private Optional<Integer> mxPort = Optional.empty();
    private LoopDetection loopDetection = LoopDetection.defaults();
    private Optional<HopScheduling> scheduling = Optional.empty();
    private Optional<DaneSettings> dane = Optional.empty();
    private Optional<MtaStsSettings> mtaSts = Optional.empty();

    NextHopBuilder(String name) {
        this.name = Objects.requireNonNull(name);
    }

    public NextHopBuilder kind(NextHop.Kind kind) {
        this.kind = kind;
        return this;
    }

    public NextHopBuilder host(HostSpec host) {
        this.hosts.add(host);
        return this;
    }

    public NextHopBuilder tls(TlsPolicy tls) {
        this.tls = tls;
        return this;
    }

    public NextHopBuilder credentials(Credentials credentials) {
        this.credentials = Optional.of(credentials);
        return this;
    }

    /** The connect deadline alone (the others as they are). */
    public NextHopBuilder connectTimeout(Duration connectTimeout) {
        this.deadlines = deadlines.toBuilder().connect(connectTimeout).build();
        return this;
    }

    /** Every reply deadline at once (greeting, each command, the end of the message). */
    public NextHopBuilder readTimeout(Duration readTimeout) {
        this.deadlines = deadlines.toBuilder().replies(readTimeout).build();
        return this;
    }

    public NextHopBuilder deadlines(SessionDeadlines deadlines) {
        this.deadlines = deadlines;
        return this;
    }

    public NextHopBuilder maxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
        return this;
    }

    public NextHopBuilder idleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
        return this;
    }

    public NextHopBuilder maxMessagesPerConnection(int maxMessagesPerConnection) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
        return this;
    }

    public NextHopBuilder heloName(String heloName) {
        this.heloName = Optional.of(heloName);
        return this;
    }

    /** For {@link Kind#RECIPIENT_MX}: the port of the MX hosts, instead of 25 (Postfix's smtp_tcp_port). */
    public NextHopBuilder mxPort(int mxPort) {
        this.mxPort = Optional.of(mxPort);
        return this;
    }

    /** Which addresses are this relay: an MX host there is a mail loop. */
    public NextHopBuilder loopDetection(LoopDetection loopDetection) {
        this.loopDetection = Objects.requireNonNull(loopDetection);
        return this;
    }

    /** How the engine runs the hop's deliveries; absent: {@link HopScheduling#defaults} for the hop's kind. */
    public NextHopBuilder scheduling(HopScheduling scheduling) {
        this.scheduling = Optional.of(scheduling);
        return this;
    }

    /** For {@code <tls mode="dane">}: the validating resolver's settings and the fallback policy. */
    public NextHopBuilder dane(DaneSettings dane) {
        this.dane = Optional.of(dane);
        return this;
    }

    /** How the MTA-STS policies are fetched, for {@code <tls mode="mta-sts">}. */
    public NextHopBuilder mtaSts(MtaStsSettings mtaSts) {
        this.mtaSts = Optional.of(mtaSts);
        return this;
    }

    public NextHop build() {
        ImmutableList<HostSpec> hostList = hosts.build();
        if (kind == NextHop.Kind.HOSTS && hostList.isEmpty()) {
            throw new IllegalArgumentException("next hop '" + name + "' has no host");
        }
        if (kind == NextHop.Kind.RECIPIENT_MX && !hostList.isEmpty()) {
            throw new IllegalArgumentException("next hop '" + name + "' of type mx takes no host");
        }
        if (kind == NextHop.Kind.HOSTS && mxPort.isPresent()) {
            throw new IllegalArgumentException("next hop '" + name + "' lists its hosts: a port goes with each host");
        }
        if (dane.isPresent() != tls.mode().usesDane()) {
            throw new IllegalArgumentException("next hop '" + name + "': DANE settings go with tls modes dane and dane-or-mta-sts, "
                + "and only with them");
        }
        if (tls.mode().recipientDomainPolicy() && kind != NextHop.Kind.RECIPIENT_MX) {
            throw new IllegalArgumentException("next hop '" + name + "': tls mode " + tls.mode().configValue() + " is only for type mx");
        }
        Optional<MtaStsSettings> stsSettings = tls.mode().usesMtaSts()
            ? Optional.of(mtaSts.orElse(MtaStsSettings.defaults())) : Optional.empty();
        return new NextHop(name, kind, hostList, mxPort, tls, credentials, dane, stsSettings, deadlines, heloName, loopDetection,
            PoolLimits.of(maxConnections, idleTimeout, maxMessagesPerConnection), scheduling.orElseGet(() -> HopScheduling.defaults(kind)));
    }
}
