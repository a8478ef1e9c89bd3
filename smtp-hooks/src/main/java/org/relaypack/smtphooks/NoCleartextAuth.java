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
 * RFC 4954 section 4 / RFC 8314: AUTH on an unencrypted session gets
 * {@code 538 5.7.11 Encryption required for requested authentication mechanism}, on any listener.
 *
 * <p>James's {@code <auth><requireSSL>} only hides AUTH from the EHLO reply; its AUTH handler still
 * checks credentials sent in the clear. This handler answers AUTH before James's handler sees it,
 * so the credentials (inline or on the following line) are never decoded nor checked. Place it
 * first in the chain: before {@link RequireTls}, whose 530 would otherwise answer AUTH.
 */
public class NoCleartextAuth implements CommandHandler<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(NoCleartextAuth.class);

    public static final String NAME = "NoCleartextAuth";

    private static final Collection<String> COMMANDS = ImmutableSet.of("AUTH");

    static final Response ENCRYPTION_REQUIRED =
        new SMTPResponse("538", "5.7.11 Encryption required for requested authentication mechanism").immutable();

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
        if (session.isTLSStarted()) {
            return null;
        }
        LOGGER.info("Refused cleartext AUTH from {} on port {}", session.getRemoteAddress(), session.getLocalAddress().getPort());
        return ENCRYPTION_REQUIRED;
    }
}
