package org.relaypack.smtphooks;

import java.util.Collection;
import java.util.Optional;

import javax.inject.Inject;
import javax.net.ssl.SSLSession;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * RFC 3207 section 4 / RFC 8314: on a listener where TLS is mandatory, MAIL, RCPT, DATA and AUTH are
 * refused until the session is encrypted ({@code 530 5.7.0 Must issue a STARTTLS command first}),
 * and refused on a session whose TLS protocol is below the listener's minimum.
 *
 * <p>A command handler, not a hook: it answers before James's own MAIL/RCPT/DATA/AUTH handlers, so
 * nothing of the command (credentials included) is processed in the clear. At startup it refuses a
 * listener that has neither {@code startTLS} nor {@code socketTLS}.
 */
public class RequireTls implements CommandHandler<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireTls.class);

    public static final String NAME = "RequireTls";

    private static final Collection<String> COMMANDS = ImmutableSet.of("MAIL", "RCPT", "DATA", "AUTH");

    static final Response STARTTLS_FIRST = new SMTPResponse("530", "5.7.0 Must issue a STARTTLS command first").immutable();

    private final ListenersSource listenersSource;
    private RequireTlsConfiguration configuration = new RequireTlsConfiguration(RequireTlsConfiguration.DEFAULT_MINIMUM_PROTOCOL);

    @Inject
    public RequireTls(ConfigurationProvider configurationProvider) {
        this(() -> SmtpListeners.load(configurationProvider));
    }

    RequireTls(ListenersSource listenersSource) {
        this.listenersSource = listenersSource;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        this.configuration = RequireTlsConfiguration.from(configuration);
        for (SmtpListener listener : listenersSource.load().withHandler(RequireTls.class)) {
            if (listener.tlsMode() == TlsMode.NONE) {
                throw new ConfigurationException(NAME + " is in the handler chain of " + listener.describe()
                    + ", which offers no TLS, so no client could ever submit there. Fix: add <tls startTLS=\"true\"> (port 587)"
                    + " or <tls socketTLS=\"true\"> (port 465) with a keystore to that <smtpserver>, or remove the handler.");
            }
        }
    }

    RequireTlsConfiguration configuration() {
        return configuration;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        Optional<String> protocol = session.getSSLSession().map(SSLSession::getProtocol);
        Response refusal = check(session.isTLSStarted(), protocol);
        if (refusal != null) {
            LOGGER.info("Refused {} from {} on port {}: {}", request.getCommand(), session.getRemoteAddress(),
                session.getLocalAddress().getPort(), refusal.getLines());
        }
        return refusal;
    }

    /** The refusal for a session in this TLS state, or null to let the command through. */
    Response check(boolean tlsStarted, Optional<String> protocol) {
        if (!tlsStarted) {
            return STARTTLS_FIRST;
        }
        Optional<TlsProtocolVersion> version = protocol.flatMap(TlsProtocolVersion::fromJsseName);
        TlsProtocolVersion minimumProtocol = configuration.minimumProtocol();
        if (version.isEmpty() || !version.get().isAtLeast(minimumProtocol)) {
            return new SMTPResponse("530", "5.7.0 TLS protocol " + protocol.orElse("unknown") + " is below the minimum "
                + minimumProtocol + " of this service");
        }
        return null;
    }
}
