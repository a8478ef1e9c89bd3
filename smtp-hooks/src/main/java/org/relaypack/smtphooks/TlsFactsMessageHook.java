package org.relaypack.smtphooks;

import java.util.Optional;

import javax.inject.Inject;
import javax.net.ssl.SSLSession;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.relaypack.config.ConfigElement;

import com.google.common.collect.ImmutableSet;
import org.relaypack.tls.TlsFacts;

/**
 * Puts the TLS facts of the SMTP session on every mail it accepts, as the {@link TlsFacts}
 * attributes ({@code relaypack.tls.*}), so that matchers later in the pipeline can tell a
 * submission over TLS on 465/587 from port-25 mail. Always returns DECLINED: James goes on and
 * enqueues the mail.
 */
public class TlsFactsMessageHook implements JamesMessageHook {
    public static final String NAME = "TlsFactsMessageHook";

    private final ListenersSource listenersSource;
    private SmtpListeners listeners;

    @Inject
    public TlsFactsMessageHook(ConfigurationProvider configurationProvider) {
        this(() -> SmtpListeners.load(configurationProvider));
    }

    TlsFactsMessageHook(ListenersSource listenersSource) {
        this.listenersSource = listenersSource;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        ConfigElement.ofHandler(NAME, configuration).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
        listeners = listenersSource.load();
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        int localPort = session.getLocalAddress().getPort();
        Optional<SSLSession> ssl = session.isTLSStarted() ? session.getSSLSession() : Optional.empty();
        mail.setAttribute(new Attribute(TlsFacts.TLS_USED, AttributeValue.of(session.isTLSStarted())));
        ssl.ifPresent(tls -> {
            mail.setAttribute(new Attribute(TlsFacts.PROTOCOL, AttributeValue.of(tls.getProtocol())));
            mail.setAttribute(new Attribute(TlsFacts.CIPHER, AttributeValue.of(tls.getCipherSuite())));
        });
        mail.setAttribute(new Attribute(TlsFacts.LOCAL_PORT, AttributeValue.of(localPort)));
        listeners.onPort(localPort)
            .ifPresent(listener -> mail.setAttribute(new Attribute(TlsFacts.LISTENER, AttributeValue.of(listener.jmxName()))));
        if (session.getUsername() != null) {
            mail.setAttribute(new Attribute(TlsFacts.AUTH_USER, AttributeValue.of(session.getUsername().asString())));
        }
        return HookResult.DECLINED;
    }
}
