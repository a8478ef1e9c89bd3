package org.relaypack.smtphooks;

import java.util.Collection;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.relaypack.config.ConfigElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * An AUTH handler placed before James's own: when {@link #refuses} says so it answers AUTH itself, so
 * the credentials (inline or on the following line) are never decoded nor checked; otherwise James's
 * AUTH handler runs. Takes no parameter. Logs under the subclass's name.
 */
abstract class AuthRefusal implements CommandHandler<SMTPSession> {
    private static final Collection<String> COMMANDS = ImmutableSet.of("AUTH");

    private final String name;
    private final Response refusal;
    private final String refused;
    private final Logger logger = LoggerFactory.getLogger(getClass());

    /** @param refused what the log line says was refused, e.g. "cleartext AUTH" */
    AuthRefusal(String name, Response refusal, String refused) {
        this.name = name;
        this.refusal = refusal;
        this.refused = refused;
    }

    /** True when this session's AUTH gets the refusal. */
    abstract boolean refuses(SMTPSession session);

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        ConfigElement.ofHandler(name, configuration).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (!refuses(session)) {
            return null;
        }
        logger.info("Refused {} from {} on port {}", refused, session.getRemoteAddress(), session.getLocalAddress().getPort());
        return refusal;
    }
}
