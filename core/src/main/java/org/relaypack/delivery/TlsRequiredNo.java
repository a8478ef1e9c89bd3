package org.relaypack.delivery;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.mailet.Mail;
import org.relaypack.delivery.TlsPlan.PlannedHost;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * {@code TLS-Required: No} (RFC 8689 section 4.2.2) for one mail to one recipient domain: the
 * sender asks that the recipient domain's TLS policies, its DANE TLSA records and its MTA-STS
 * policy, be ignored, TLS still being used where offered. The mail then goes to every MX host of
 * the domain under the TLS the hop gives a domain that publishes no policy: DANE's fallback
 * ({@code opportunistic} unless configured: STARTTLS when offered, a plaintext retry after a failed
 * handshake, as Postfix {@code may}), else opportunistic.
 *
 * <p>Not relaxed: the hop's own configuration (a {@code starttls-required} DANE fallback; the TLS
 * of a hop that is not a recipient-domain policy hop, such as a {@code verify} smarthost), and
 * DNSSEC (a bogus answer is a DNS failure, not a TLS policy: the MX hosts
 * {@link DaneHostResolver} skipped stay skipped). The plan is made per mail: the hop's other mails
 * keep the policy, and their pooled sessions are not shared (the TLS rules are part of the target).
 */
final class TlsRequiredNo {
    /** The transport's logger: its lines are the transport's, mail by mail. */
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);
    private static final TlsPolicy OPPORTUNISTIC = TlsPolicy.of(TlsMode.OPPORTUNISTIC);

    private TlsRequiredNo() {
    }

    /**
     * The plan for a {@code TLS-Required: No} mail: the given policy plan when no recipient-domain
     * policy constrained it, else every host under the hop's TLS for a domain without a policy.
     */
    static TlsPlan setAside(NextHop hop, Mail mail, Optional<String> domain, List<ResolvedHost> hosts, TlsPlan policyPlan) {
        if (domain.isEmpty() || !hop.tls().mode().recipientDomainPolicy()) {
            return policyPlan;
        }
        TlsPolicy withoutPolicy = hop.dane().map(DaneSettings::fallbackPolicy).orElse(OPPORTUNISTIC);
        Set<String> policies = policiesApplied(policyPlan, hosts, withoutPolicy);
        if (policies.isEmpty()) {
            return policyPlan;
        }
        // RFC 8460 still counts what a session finds wrong against the policy set aside (starttls-not-supported,
        // certificate-host-mismatch, ...): the TLS report call for these hosts belongs here once reporting records them.
        LOGGER.info("TLS-Required: No: mail={} hop={} domain={}: the recipient domain's TLS policy is set aside ({}); MX hosts {} get "
            + "{} TLS (RFC 8689 section 4.2.2)", mail.getName(), hop.name(), domain.get(), String.join("; ", policies),
            hosts.stream().map(ResolvedHost::name).distinct().collect(Collectors.joining(", ")), withoutPolicy.mode().configValue());
        return TlsPlan.of(hosts.stream()
            .map(host -> new PlannedHost(host.withoutTlsa(), withoutPolicy, Optional.empty()))
            .collect(ImmutableList.toImmutableList()));
    }

    /** What the recipient domain's policies asked of these hosts beyond the hop's TLS for a domain without any. */
    private static Set<String> policiesApplied(TlsPlan plan, List<ResolvedHost> hosts, TlsPolicy withoutPolicy) {
        Set<String> policies = new LinkedHashSet<>();
        for (ResolvedHost host : hosts) {
            if (host.tlsa().isPresent()) {
                policies.add("DANE TLSA of " + host.name() + ": TLS required, authenticated by TLSA");
            } else if (host.tls().filter(tls -> !tls.equals(withoutPolicy)).isPresent()) {
                policies.add("DANE TLSA of " + host.name() + ", none usable: TLS required");
            }
        }
        plan.hosts().stream().filter(PlannedHost::enforced).map(planned -> planned.mtaSts().get())
            .forEach(policy -> policies.add("MTA-STS policy of " + policy.domain() + " (" + policy.describe() + ")"));
        plan.refusal().ifPresent(refusal -> policies.add(refusal.text()));
        return policies;
    }
}
