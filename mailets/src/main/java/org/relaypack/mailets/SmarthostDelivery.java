package org.relaypack.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.relaypack.config.MailetParameters;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.FailurePolicy;
import org.relaypack.delivery.HopShare;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import org.relaypack.smarthost.SmarthostRoutes;

/**
 * Forwards mail to smarthosts: resolves each recipient's next hop from the {@code <smarthost>}
 * routes of relaypack.xml, queues one copy per next hop carrying exactly its recipients in the
 * delivery engine, and ghosts the mail. Recipients without a next hop are bounced (or sent to the
 * error processor). The engine and the routes are shared by the whole James (docs/lifecycle.md): the
 * mailet neither starts nor stops them. See docs/smarthost.md.
 *
 * <pre>
 * &lt;mailet match="All" class="org.relaypack.mailets.SmarthostDelivery"&gt;
 *   &lt;bounceProcessor&gt;bounces&lt;/bounceProcessor&gt;
 * &lt;/mailet&gt;
 * </pre>
 */
public class SmarthostDelivery extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmarthostDelivery.class);

    static final ImmutableSet<String> PARAMETERS = ImmutableSet.of(FailurePolicy.BOUNCE_PROCESSOR, FailurePolicy.ERROR_PROCESSOR);
    static final SmtpReply NO_ROUTE = SmtpReply.of(550, "5.4.4 No next hop is configured for this recipient");

    private final DeliveryEngine engine;
    private final SmarthostRoutes routes;
    private FailurePolicy failurePolicy;

    /** Both are made once per James, from the one relaypack.xml, by the pack's Guice module. */
    @Inject
    public SmarthostDelivery(DeliveryEngine engine, SmarthostRoutes routes) {
        this.engine = engine;
        this.routes = routes;
    }

    @Override
    public void init() throws MessagingException {
        failurePolicy = MailetParameters.read(getMailetName(), getMailetConfig(), PARAMETERS, FailurePolicy::from);
        LOGGER.info("{} routes {}; failures go to {}", getMailetName(), routes, failurePolicy);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<NextHop, List<MailAddress>> byHop = new LinkedHashMap<>();
        List<MailAddress> unrouted = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Optional<NextHop> hop = routes.resolve(mail.getMaybeSender(), recipient);
            if (hop.isPresent()) {
                byHop.computeIfAbsent(hop.get(), any -> new ArrayList<>()).add(recipient);
            } else {
                unrouted.add(recipient);
            }
        }
        engine.deliverShares(mail, byHop.entrySet().stream()
            .map(entry -> new HopShare(entry.getKey(), entry.getValue(), entry.getValue()))
            .collect(ImmutableList.toImmutableList()), failurePolicy);
        if (!unrouted.isEmpty()) {
            LOGGER.warn("Mail {}: no next hop for {} (no matching route, no default)", mail.getName(), unrouted);
            engine.fail(mail, unrouted, NO_ROUTE, failurePolicy);
        }
        mail.setState(Mail.GHOST);
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return ImmutableList.of(new ProcessingState(failurePolicy.processor()));
    }

    @Override
    public String getMailetInfo() {
        return "relaypack smarthost delivery";
    }
}
