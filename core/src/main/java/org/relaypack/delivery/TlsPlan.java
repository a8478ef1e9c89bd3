package org.relaypack.delivery;

import java.util.Objects;
import java.util.Optional;

import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.mtasts.MtaStsMode;
import org.relaypack.tls.mtasts.MtaStsPolicy;

import com.google.common.collect.ImmutableList;

/**
 * The hosts to try for one destination, each with the TLS rules of its sessions, or why none may
 * be tried (an enforced MTA-STS policy naming none of the MX hosts).
 */
final class TlsPlan {
    /** One host and the TLS policy of its sessions; the MTA-STS policy that chose it, if any. */
    static final class PlannedHost {
        private final ResolvedHost host;
        private final TlsPolicy tls;
        private final Optional<MtaStsPolicy> mtaSts;

        PlannedHost(ResolvedHost host, TlsPolicy tls, Optional<MtaStsPolicy> mtaSts) {
            this.host = Objects.requireNonNull(host);
            this.tls = Objects.requireNonNull(tls);
            this.mtaSts = Objects.requireNonNull(mtaSts);
        }

        ResolvedHost host() {
            return host;
        }

        TlsPolicy tls() {
            return tls;
        }

        Optional<MtaStsPolicy> mtaSts() {
            return mtaSts;
        }

        boolean enforced() {
            return mtaSts.map(policy -> policy.mode() == MtaStsMode.ENFORCE).orElse(false);
        }

        /** A testing policy: delivered as opportunistic, checked afterwards, failures logged. */
        Optional<MtaStsPolicy> testing() {
            return mtaSts.filter(policy -> policy.mode() == MtaStsMode.TESTING);
        }
    }

    static TlsPlan of(ImmutableList<PlannedHost> hosts) {
        return new TlsPlan(hosts, Optional.empty());
    }

    static TlsPlan refused(SmtpReply reason) {
        return new TlsPlan(ImmutableList.of(), Optional.of(reason));
    }

    private final ImmutableList<PlannedHost> hosts;
    private final Optional<SmtpReply> refusal;

    private TlsPlan(ImmutableList<PlannedHost> hosts, Optional<SmtpReply> refusal) {
        this.hosts = hosts;
        this.refusal = refusal;
    }

    ImmutableList<PlannedHost> hosts() {
        return hosts;
    }

    /** Present when no host may be tried: the temporary failure of every recipient. */
    Optional<SmtpReply> refusal() {
        return refusal;
    }
}
