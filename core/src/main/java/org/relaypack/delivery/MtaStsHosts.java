package org.relaypack.delivery;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;
import org.relaypack.delivery.TlsPlan.PlannedHost;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;
import org.relaypack.tls.mtasts.MtaStsMode;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.mtasts.MtaStsPolicy;
import org.relaypack.tls.mtasts.TestingModeCheck;
import org.relaypack.tls.report.TlsReportSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * Applies the recipient domain's MTA-STS policy (RFC 8461 5) to the MX hosts of a hop with
 * {@code <tls mode="mta-sts">}: {@code enforce} keeps the MX hosts the policy names, each with
 * STARTTLS required, the certificate verified against the MX host name (the {@code verify} path)
 * and TLSv1.2 or newer; {@code testing}, {@code none} and no policy deliver with opportunistic TLS,
 * a testing policy's failures being logged. Other hops keep their own policy.
 */
final class MtaStsHosts {
    private static final Logger LOGGER = LoggerFactory.getLogger(MtaStsHosts.class);
    static final String CACHE_DIRECTORY = FileSystem.FILE_PROTOCOL_AND_VAR + "relaypack/mta-sts";

    /** Policies cached under James's var/relaypack/mta-sts/. */
    static MtaStsPolicies policies(DNSService dns, FileSystem fileSystem, Clock clock) {
        try {
            return MtaStsPolicies.withCache(dns, clock, fileSystem.getFile(CACHE_DIRECTORY).toPath());
        } catch (FileNotFoundException e) {
            LOGGER.warn("MTA-STS: no directory for the policy cache ({}): policies are cached in memory only", CACHE_DIRECTORY, e);
            return MtaStsPolicies.inMemory(dns, clock);
        }
    }

    private static final TlsPolicy OPPORTUNISTIC = new TlsPolicy(TlsMode.OPPORTUNISTIC, false, Optional.empty(),
        TlsPolicy.OPPORTUNISTIC_MIN_PROTOCOL);

    private final MtaStsPolicies policies;
    private final TestingModeCheck testingCheck = new TestingModeCheck();
    private final TlsReportSink tlsReports;

    MtaStsHosts(MtaStsPolicies policies, TlsReportSink tlsReports) {
        this.policies = policies;
        this.tlsReports = tlsReports;
    }

    /**
     * The hosts of one destination with the TLS of their sessions. Under dane-or-mta-sts a host that
     * DANE authenticates (usable TLSA records) keeps DANE and the policy is not consulted for it (RFC
     * 8461 section 2); the policy is fetched only when some host is left to it.
     */
    TlsPlan plan(NextHop hop, Optional<String> domain, List<ResolvedHost> hosts) {
        if (!hop.tls().mode().usesMtaSts() || domain.isEmpty() || hosts.stream().allMatch(MtaStsHosts::daneAuthenticated)) {
            return TlsPlan.of(hosts.stream().map(host -> new PlannedHost(host, host.tls().orElse(hop.tls()), Optional.empty()))
                .collect(ImmutableList.toImmutableList()));
        }
        Optional<MtaStsPolicy> policy = policies.policyFor(domain.get(), hop.mtaSts().orElseThrow(), tlsReports)
            .filter(found -> found.mode() != MtaStsMode.NONE);
        ImmutableList.Builder<PlannedHost> planned = ImmutableList.builder();
        TlsPolicy verified = new TlsPolicy(TlsMode.STARTTLS_REQUIRED, true, hop.tls().trustStore(), TlsProtocolVersion.TLS_V1_2);
        for (ResolvedHost host : hosts) {
            // without a policy: DANE's decision for the host (its fallback, or TLS without authentication), else opportunistic
            TlsPolicy fallback = host.tls().orElse(OPPORTUNISTIC);
            boolean matches = policy.map(found -> found.matches(host.name())).orElse(false);
            if (daneAuthenticated(host) || policy.isEmpty()) {
                planned.add(new PlannedHost(host, fallback, Optional.empty()));
            } else if (policy.get().mode() == MtaStsMode.ENFORCE && !matches) {
                LOGGER.warn("MTA-STS: hop={} domain={}: MX host {} is not named by the enforced policy ({}): not used",
                    hop.name(), domain.get(), host.name(), policy.get().describe());
            } else if (policy.get().mode() == MtaStsMode.ENFORCE) {
                planned.add(new PlannedHost(host, verified, policy));
            } else {
                if (!matches) {
                    LOGGER.warn("MTA-STS testing: hop={} domain={}: MX host {} is not named by the policy ({}); delivering anyway, "
                        + "as a testing policy allows", hop.name(), domain.get(), host.name(), policy.get().describe());
                }
                planned.add(new PlannedHost(host, fallback, policy));
            }
        }
        ImmutableList<PlannedHost> plannedHosts = planned.build();
        if (plannedHosts.isEmpty()) {
            return TlsPlan.refused(HostFailure.localReply("4.7.5", "MTA-STS policy of " + domain.get() + " (" + policy.get().describe()
                + ") names none of its MX hosts (" + hosts.stream().map(ResolvedHost::name).distinct().collect(Collectors.joining(", "))
                + "): not delivered"));
        }
        return TlsPlan.of(plannedHosts);
    }

    /** DANE (usable TLSA records) authenticates this host: no MTA-STS policy applies to it. */
    private static boolean daneAuthenticated(ResolvedHost host) {
        return host.tlsa().isPresent();
    }

    /** After a transaction under a testing policy: logs (and returns) what an enforced policy would have refused. */
    Optional<String> checkTesting(PlannedHost host, Mail mail, NextHop hop, SmtpSession session) {
        Optional<MtaStsPolicy> testing = host.testing();
        if (testing.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> problem = testingCheck.problemOf(session.tlsSession(), host.host().name(), hop.tls().trustStore());
        problem.ifPresent(found -> LOGGER.warn("MTA-STS testing: mail={} hop={} domain={} host={}: {}; delivered anyway, as the testing "
            + "policy ({}) allows", mail.getName(), hop.name(), testing.get().domain(), session.describe(), found,
            testing.get().describe()));
        return problem;
    }

    /** After a host failed under an enforced policy: says why that host got nothing. */
    void logEnforcedFailure(PlannedHost host, Mail mail, NextHop hop, String reason) {
        if (host.enforced()) {
            LOGGER.warn("MTA-STS: mail={} hop={} domain={} host={}: no delivery under the enforced policy ({}): {}",
                mail.getName(), hop.name(), host.mtaSts().get().domain(), host.host().name(), host.mtaSts().get().describe(), reason);
        }
    }

    void close() {
        policies.close();
    }
}
