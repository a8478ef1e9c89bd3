package org.relaypack.smtphooks;

import java.util.Collection;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.relaypack.config.ConfigElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * For an MX listener (port 25): AUTH gets {@code 502 5.5.1 Authentication is not available on this
 * service}, encrypted or not. James's {@code <auth><announce>never</announce>} only hides AUTH from
 * EHLO; its AUTH handler still checks credentials, and a successful AUTH allows relaying. Submission
 * belongs on 465 and 587.
 */
public class RefuseAuth implements CommandHandler<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(RefuseAuth.class);

    public static final String NAME = "RefuseAuth";

    private static final Collection<String> COMMANDS = ImmutableSet.of("AUTH");

    static final Response NOT_AVAILABLE =
        new SMTPResponse("502", "5.5.1 Authentication is not available on this service").immutable();

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        ConfigElement.ofHandler(NAME, configuration).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        LOGGER.info("Refused AUTH from {} on port {}", session.getRemoteAddress(), session.getLocalAddress().getPort());
        return NOT_AVAILABLE;
    }
}
