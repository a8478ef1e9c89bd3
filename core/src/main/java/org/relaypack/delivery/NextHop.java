package org.relaypack.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.mtasts.MtaStsSettings;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * A next hop as relaypack.xml configures it: a named destination of the delivery engine (an upstream
 * smarthost, a mailbox server, or "the recipient domain's own MX", James as the smarthost facing the
 * internet); how the SMTP client reaches it (hosts tried in order, TLS policy, credentials, deadlines,
 * {@link PoolLimits pooled connections}); and how the engine runs its deliveries ({@link HopScheduling}).
 */
public final class NextHop {
    public enum Kind {
        /** Deliver to the listed hosts, in order. */
        HOSTS,
        /** Deliver to the MX hosts of each recipient's domain (no host list). */
        RECIPIENT_MX
    }

    public static NextHopBuilder builder(String name) {
        return new NextHopBuilder(name);
    }

    private final String name;
    private final Kind kind;
    private final ImmutableList<HostSpec> hosts;
    private final Optional<Integer> mxPort;
    private final TlsPolicy tls;
    private final Optional<Credentials> credentials;
    private final Optional<DaneSettings> dane;
    private final Optional<MtaStsSettings> mtaSts;
    private final SessionDeadlines deadlines;
    private final Optional<String> heloName;
    private final LoopDetection loopDetection;
    private final PoolLimits pool;
    private final HopScheduling scheduling;
    /** Immutable, a key of the transport's session pools and a map key per mail (routes group recipients by hop): hashed once. */
    private final int hash;

    NextHop(String name, Kind kind, ImmutableList<HostSpec> hosts, Optional<Integer> mxPort, TlsPolicy tls,
            Optional<Credentials> credentials, Optional<DaneSettings> dane, Optional<MtaStsSettings> mtaSts,
            SessionDeadlines deadlines, Optional<String> heloName, LoopDetection loopDetection, PoolLimits pool,
            HopScheduling scheduling) {
        this.name = name;
        this.kind = kind;
        this.hosts = hosts;
        this.mxPort = mxPort;
        this.tls = tls;
        this.credentials = credentials;
        this.dane = dane;
        this.mtaSts = mtaSts;
        this.deadlines = deadlines;
        this.heloName = heloName;
        this.loopDetection = loopDetection;
        this.pool = pool;
        this.scheduling = Objects.requireNonNull(scheduling);
        this.hash = Objects.hash(name, kind, hosts, mxPort, tls, credentials, dane, mtaSts, deadlines, heloName, loopDetection, pool,
            scheduling);
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

    /** For {@link Kind#RECIPIENT_MX}: the port of the MX hosts; absent means 25. */
    public Optional<Integer> mxPort() {
        return mxPort;
    }

    /** True for a hop that delivers each destination (recipient domain) in a lane of its own. */
    public boolean hasLanes() {
        return kind == Kind.RECIPIENT_MX;
    }

    public TlsPolicy tls() {
        return tls;
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    /** Present exactly when the TLS mode is dane. */
    public Optional<DaneSettings> dane() {
        return dane;
    }

    /** Present exactly under {@code <tls mode="mta-sts">}: how the recipient domains' policies are fetched. */
    public Optional<MtaStsSettings> mtaSts() {
        return mtaSts;
    }

    public Duration connectTimeout() {
        return deadlines.connect();
    }

    /** The deadlines of each step of a session (connect, replies, writes). */
    public SessionDeadlines deadlines() {
        return deadlines;
    }

    /** The name sent in EHLO; absent means the server's host name. */
    public Optional<String> heloName() {
        return heloName;
    }

    /** Which addresses are this relay (from {@code <nexthops><loopDetection/>}). */
    public LoopDetection loopDetection() {
        return loopDetection;
    }

    /** How many connections to each host, for how long and for how many mails. */
    public PoolLimits pool() {
        return pool;
    }

    /** How the engine runs this hop's deliveries: retries, concurrency, fallback, first attempt, lanes. */
    public HopScheduling scheduling() {
        return scheduling;
    }

    /** This hop, its deliveries run as {@code scheduling} says. */
    public NextHop withScheduling(HopScheduling scheduling) {
        return new NextHop(name, kind, hosts, mxPort, tls, credentials, dane, mtaSts, deadlines, heloName, loopDetection, pool,
            scheduling);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof NextHop) {
            NextHop that = (NextHop) o;
            return hash == that.hash && name.equals(that.name) && kind == that.kind && hosts.equals(that.hosts)
                && mxPort.equals(that.mxPort) && tls.equals(that.tls) && credentials.equals(that.credentials)
                && dane.equals(that.dane) && mtaSts.equals(that.mtaSts)
                && deadlines.equals(that.deadlines) && heloName.equals(that.heloName) && loopDetection.equals(that.loopDetection)
                && pool.equals(that.pool) && scheduling.equals(that.scheduling);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("name", name).add("kind", kind).add("hosts", hosts).add("mxPort", mxPort)
            .add("tls", tls).add("credentials", credentials).add("dane", dane).add("mtaSts", mtaSts).add("pool", pool).add("scheduling", scheduling).toString();
    }
}
