package org.relaypack.delivery;

import java.util.Optional;

import org.apache.mailet.Mail;
import org.relaypack.delivery.TlsPlan.PlannedHost;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.tls.dane.TlsaAssociation;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.report.ReportSender;
import org.relaypack.tls.report.TlsFailure;
import org.relaypack.tls.report.TlsReportPolicy;
import org.relaypack.tls.report.TlsReportSink;
import org.relaypack.tls.report.TlsResultType;

import com.google.common.collect.ImmutableList;

/**
 * Hands the policy outcome of each session to the {@link TlsReportSink} (RFC 8460): which policy
 * the host was held to ({@code sts}, {@code tlsa}, or {@code no-policy-found} on a DANE or MTA-STS
 * hop), and whether the session met it. Hops without such a mode, and report mail itself (RFC 8460
 * 3), record nothing.
 */
final class TlsOutcomes {
    private final TlsReportSink sink;

    TlsOutcomes(TlsReportSink sink) {
        this.sink = sink;
    }

    /** A session ran a transaction: counted once, on its first one; a testing policy's problem makes it a failure. */
    void session(Mail mail, NextHop hop, PlannedHost host, SmtpSession session, Optional<String> testingProblem) {
        Optional<TlsReportPolicy> policy = policyOf(mail, hop, host);
        if (policy.isEmpty() || session.transactions() != 1) {
            return;
        }
        if (testingProblem.isPresent()) {
            sink.failure(policy.get(), failureAt(host, TlsResultType.prefixOf(testingProblem.get()).orElse(TlsResultType.VALIDATION_FAILURE)));
        } else if (session.tlsSession().isEmpty()) {
            sink.failure(policy.get(), failureAt(host, TlsResultType.STARTTLS_NOT_SUPPORTED));
        } else {
            sink.success(policy.get());
        }
    }

    /** A session could not be set up: counted when TLS was the reason (not offered, handshake failed). */
    void failure(Mail mail, NextHop hop, PlannedHost host, HostFailure failure) {
        Optional<TlsReportPolicy> policy = policyOf(mail, hop, host);
        if (policy.isPresent() && failure.tlsResult().isPresent()) {
            sink.failure(policy.get(), failureAt(host, failure.tlsResult().get()));
        }
    }

    /** A DANE look-up failed before any session: the MX answer ({@code mxHost} empty) or a host's TLSA records. */
    void daneFailure(String domain, Optional<String> mxHost, TlsResultType type, Iterable<TlsaAssociation> records) {
        if (sink == TlsReportSink.NONE) {
            return;
        }
        ImmutableList<String> strings = ImmutableList.copyOf(records).stream().map(TlsaAssociation::asString)
            .collect(ImmutableList.toImmutableList());
        sink.failure(TlsReportPolicy.of(TlsReportPolicy.Type.TLSA, domain, strings, mxHost.map(ImmutableList::of).orElse(ImmutableList.of())),
            TlsFailure.of(type, mxHost, Optional.empty(), Optional.empty()));
    }

    private static TlsFailure failureAt(PlannedHost host, TlsResultType type) {
        return TlsFailure.of(type, host.host().name(), host.host().address().getAddress().getHostAddress());
    }

    /** Empty when nothing is to be recorded: reporting off, a hop without DANE or MTA-STS, report mail. */
    private Optional<TlsReportPolicy> policyOf(Mail mail, NextHop hop, PlannedHost host) {
        if (sink == TlsReportSink.NONE || (hop.dane().isEmpty() && hop.mtaSts().isEmpty()) || ReportSender.isReport(mail)) {
            return Optional.empty();
        }
        String domain = host.host().nextHop().asString();
        if (host.mtaSts().isPresent()) {
            return Optional.of(MtaStsPolicies.reportPolicy(host.mtaSts().get()));
        }
        if (host.host().tlsa().isPresent()) {
            return Optional.of(TlsReportPolicy.tlsa(domain, host.host().tlsa().get().records().stream().map(TlsaAssociation::asString)
                .collect(ImmutableList.toImmutableList()), host.host().name()));
        }
        return Optional.of(TlsReportPolicy.noPolicyFound(domain));
    }
}
