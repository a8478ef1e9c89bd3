package org.relaypack.mailets;

import java.util.Collection;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * Mail loop guard of a relay, like Postfix's {@code hopcount_limit}: a message that already carries
 * more than {@code maxHops} Received headers is taken out of the normal flow and handed, with the
 * error "5.4.6 Too many hops", to a processor (by default {@code error}; point it at a processor
 * with James's {@code DSNBounce} to return it to its sender). James's stock {@code RelayLimit}
 * matcher with {@code Null} drops such mail silently; this does not.
 *
 * <pre>{@code
 * <mailet match="All" class="org.relaypack.mailets.HopLimit">
 *     <maxHops>50</maxHops>
 *     <processor>bounces</processor>
 * </mailet>
 * }</pre>
 */
public class HopLimit extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(HopLimit.class);
    static final String RECEIVED = "Received";

    private HopLimitConfiguration configuration;

    @Override
    public void init() throws MessagingException {
        configuration = HopLimitConfiguration.from(getMailetConfig());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String[] received = mail.getMessage().getHeader(RECEIVED);
        int hops = received == null ? 0 : received.length;
        if (hops > configuration.maxHops()) {
            LOGGER.warn("Mail {} from {} has {} Received headers (limit {}): mail loop, sent to processor {}",
                mail.getName(), mail.getMaybeSender().asString(), hops, configuration.maxHops(), configuration.processor());
            mail.setErrorMessage("5.4.6 Too many hops: " + hops + " Received headers, the limit is " + configuration.maxHops()
                + " (mail loop?)");
            getMailetContext().sendMail(mail, configuration.processor());
            mail.setState(Mail.GHOST);
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return ImmutableList.of(new ProcessingState(configuration.processor()));
    }

    @Override
    public String getMailetInfo() {
        return "relaypack HopLimit: mail loop guard";
    }
}
