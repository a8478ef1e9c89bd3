package org.relaypack.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;
import org.relaypack.delivery.TlsPlan.PlannedHost;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.MessageContent;
import org.relaypack.delivery.smtp.SessionPools;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.tls.TlsRequirement;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.report.TlsReportSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * The SMTP client side of the delivery engine: delivers one mail to one next hop, trying its
 * hosts in order (ordered failover), under the hop's TLS policy and credentials, over pooled
 * sessions. Thread-safe: queue consumers call it concurrently.
 */
public class SmtpTransport implements HopTransport {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);
    static final int SMTP_PORT = 25;
    private static final Duration CLEANUP_PERIOD = Duration.ofSeconds(1);
    private static final String FALLBACK_HELO_NAME = "localhost";

    private final HostResolver resolver;
    private final DaneHostResolver daneResolver;
    private final SessionPools pools;
    private final int recipientMxPort;
    private final String localHostName;
    private final Optional<ScheduledExecutorService> cleaner;
    private final MtaStsHosts mtaSts;
    private final HostAttempt hostAttempt;

    /** MTA-STS policies are cached under James's var/relaypack/mta-sts/; TLS outcomes go to the sink (RFC 8460). */
    @Inject
    public SmtpTransport(DNSService dns, FileSystem fileSystem, TlsReportSink tlsReports) {
        this(dns, Clock.systemUTC(), SMTP_PORT, true, MtaStsHosts.policies(dns, fileSystem, Clock.systemUTC()), tlsReports);
    }

    SmtpTransport(DNSService dns, Clock clock, int recipientMxPort, boolean scheduleCleanup) {
        this(dns, clock, recipientMxPort, scheduleCleanup, MtaStsPolicies.inMemory(dns, clock));
    }

    /**
     * @param recipientMxPort the port of recipient-domain MX hosts (25; tests use a free port)
     * @param scheduleCleanup false when the test calls {@link #closeIdleSessions()} itself
     */
    SmtpTransport(DNSService dns, Clock clock, int recipientMxPort, boolean scheduleCleanup, MtaStsPolicies mtaStsPolicies) {
        this(dns, clock, recipientMxPort, scheduleCleanup, mtaStsPolicies, TlsReportSink.NONE);
    }

    SmtpTransport(DNSService dns, Clock clock, int recipientMxPort, boolean scheduleCleanup, MtaStsPolicies mtaStsPolicies,
                  TlsReportSink tlsReports) {
        TlsOutcomes tlsOutcomes = new TlsOutcomes(tlsReports);
        this.daneResolver = new DaneHostResolver(tlsOutcomes);
        this.mtaSts = new MtaStsHosts(mtaStsPolicies, tlsReports);
        this.resolver = new HostResolver(dns);
        this.pools = new SessionPools(clock);
        this.recipientMxPort = recipientMxPort;
        this.localHostName = localHostName(dns);
        this.cleaner = scheduleCleanup ? Optional.of(startCleaner()) : Optional.empty();
        this.hostAttempt = new HostAttempt(pools, localHostName, mtaSts, tlsOutcomes);
    }

    private static String localHostName(DNSService dns) {
        try {
            return HostName.of(dns.getHostName(dns.getLocalHost())).asString();
        } catch (Exception e) {
            LOGGER.warn("Cannot find the local host name, EHLO will say '{}' unless the next hop sets heloName", FALLBACK_HELO_NAME, e);
            return FALLBACK_HELO_NAME;
        }
    }

    private ScheduledExecutorService startCleaner() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("relaypack-smtp-pool-cleaner").setDaemon(true).build());
        executor.scheduleWithFixedDelay(this::closeIdleSessions, CLEANUP_PERIOD.toMillis(), CLEANUP_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return executor;
    }

    @Override
    public DeliveryResult deliver(NextHop hop, Mail mail) {
        return deliver(hop, mail, true);
    }

    @Override
    public DeliveryResult deliverWithoutWaiting(NextHop hop, Mail mail) {
        return deliver(hop, mail, false);
    }

    private DeliveryResult deliver(NextHop hop, Mail mail, boolean waitForSession) {
        ImmutableList<MailAddress> recipients = ImmutableList.copyOf(mail.getRecipients());
        MessageContent content;
        try {
            content = MessageContent.of(mail.getMessage(), mail.getMessageSize());
        } catch (MessagingException e) {
            LOGGER.error("Cannot read mail {} for delivery to next hop {}", mail.getName(), hop.name(), e);
            return DeliveryResult.allTemporary(recipients, HostFailure.localReply("4.3.0", "cannot read the message: " + e), Optional.empty());
        }
        Attempts attempts = new Attempts();
        List<MailAddress> sendable = attempts.refuseUnsafeAddresses(hop, mail, recipients);
        if (sendable.isEmpty()) {
            return attempts.toResult(recipients);
        }
        TlsRequirement requirement = TlsRequirement.of(mail);
        if (hop.kind() == NextHop.Kind.HOSTS) {
            attempts.merge(deliverToHosts(hop, mail, sendable, content, Optional.empty(), resolver.resolve(hop), waitForSession,
                requirement));
            return attempts.toResult(recipients);
        }
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        sendable.forEach(recipient -> byDomain.computeIfAbsent(recipient.getDomain().asString(), domain -> new ArrayList<>()).add(recipient));
        byDomain.forEach((domain, domainRecipients) ->
            attempts.merge(deliverToHosts(hop, mail, domainRecipients, content, Optional.of(domain),
                resolveMx(hop, domain), waitForSession, requirement)));
        return attempts.toResult(recipients);
    }

    private HostResolver.Resolution resolveMx(NextHop hop, String domain) {
        int port = hop.mxPort().orElse(recipientMxPort);
        if (hop.dane().isPresent()) {
            return daneResolver.resolveMx(hop, hop.dane().get(), domain, port);
        }
        return resolver.resolveMx(hop, domain, port);
    }

    /** A DSN of a REQUIRETLS mail that the pack bounced (header section only): RFC 8689 section 5 lets it go without REQUIRETLS. */
    private static boolean headersOnlyDsn(Mail mail) {
        return !mail.hasSender() && mail.getAttribute(TlsRequirement.HEADERS_ONLY_DSN_ATTRIBUTE).isPresent();
    }

    /** Ordered failover: the recipients without a final reply go to the next host. */
    private Attempts deliverToHosts(NextHop hop, Mail mail, List<MailAddress> recipients, MessageContent content, Optional<String> domain,
                                    HostResolver.Resolution resolution, boolean waitForSession, TlsRequirement requirement) {
        Attempts attempts = new Attempts();
        RequireTlsGate gate = new RequireTlsGate(requirement, headersOnlyDsn(mail), mail.getName(), hop.name());
        Optional<SmtpReply> dnsAnswer = resolution.permanentFailure();
        if (dnsAnswer.isPresent()) {
            recipients.forEach(recipient -> attempts.record(RecipientOutcome.permanentFailure(recipient, dnsAnswer.get())));
            return attempts;
        }
        List<MailAddress> pending = new ArrayList<>(recipients);
        TlsPlan plan = mtaSts.plan(hop, domain, resolution.hosts());
        if (requirement == TlsRequirement.TLS_OPTIONAL) {
            plan = TlsRequiredNo.setAside(hop, mail, domain, resolution.hosts(), plan);
        }
        SmtpReply lastReason = plan.refusal().or(resolution::problem)
            .orElse(HostFailure.localReply("4.4.4", "no host to deliver to for next hop " + hop.name()));
        for (PlannedHost host : plan.hosts()) {
            if (pending.isEmpty()) {
                break;
            }
            Optional<SmtpReply> interruption = hostAttempt.run(hop, mail, host, pending, content, attempts, waitForSession, gate);
            if (interruption.isEmpty()) {
                break;
            }
            mtaSts.logEnforcedFailure(host, mail, hop, interruption.get().asString());
            lastReason = interruption.get();
        }
        for (MailAddress recipient : pending) {
            attempts.record(gate.refusedEveryHost()
                ? RecipientOutcome.permanentFailure(recipient, lastReason)
                : RecipientOutcome.temporaryFailure(recipient, lastReason));
        }
        return attempts;
    }

    /** QUITs the sessions idle for longer than their hop's idle timeout, and forgets unused pools. */
    void closeIdleSessions() {
        pools.closeIdleSessions();
    }

    /** Open sessions (in use or idle) over every pool; for tests. */
    int openSessions() {
        return pools.openSessions();
    }

    @Override
    public void close() {
        cleaner.ifPresent(ScheduledExecutorService::shutdownNow);
        pools.close();
        mtaSts.close();
    }
}
