package org.relaypack.smtphooks;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.relaypack.config.ConfigElement;
import org.relaypack.tls.TlsRequirement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * The REQUIRETLS SMTP service extension, receiving side (RFC 8689): {@code REQUIRETLS} is
 * advertised in EHLO only once the session is under TLS, the {@code REQUIRETLS} MAIL FROM parameter
 * is accepted only over TLS and without a value, and a mail received with it carries the
 * {@link TlsRequirement#REQUIRETLS_ATTRIBUTE} attribute to the delivery.
 *
 * <p>A MAIL command handler rather than a James {@code MailParametersHook}: James 3.8.1 matches
 * a valueless MAIL parameter by its exact case and silently drops any parameter no hook claims, so
 * a hook would lose {@code requiretls} written in lower case, and with it the sender's requirement.
 * The handler answers only to refuse; otherwise James's own MAIL handler goes on.
 */
public class RequireTlsExtension implements CommandHandler<SMTPSession>, EhloExtension, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireTlsExtension.class);

    public static final String NAME = "RequireTlsExtension";
    public static final String KEYWORD = "REQUIRETLS";

    static final ProtocolSession.AttachmentKey<Boolean> REQUIRETLS_REQUESTED =
        ProtocolSession.AttachmentKey.of("relaypack.requiretls", Boolean.class);
    static final Response TLS_NEEDED = new SMTPResponse("530", "5.7.10 REQUIRETLS needs a TLS session").immutable();
    static final Response NO_VALUE = new SMTPResponse("555", "5.5.4 REQUIRETLS takes no value").immutable();

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        ConfigElement.ofHandler(NAME, configuration).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
    }

    @Override
    public Collection<String> getImplCommands() {
        return ImmutableSet.of("MAIL");
    }

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        return session.isTLSStarted() ? ImmutableList.of(KEYWORD) : ImmutableList.of();
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, State.Transaction).isPresent()) {
            // James answers 503 (sender already given): the transaction keeps the first MAIL's REQUIRETLS
            return null;
        }
        Optional<String> parameter = requireTlsParameter(request.getArgument());
        if (parameter.isEmpty()) {
            session.removeAttachment(REQUIRETLS_REQUESTED, State.Transaction);
            return null;
        }
        Response refusal = !session.isTLSStarted() ? TLS_NEEDED : parameter.get().contains("=") ? NO_VALUE : null;
        if (refusal != null) {
            session.removeAttachment(REQUIRETLS_REQUESTED, State.Transaction);
            LOGGER.info("Refused MAIL with {} from {} on port {}: {}", parameter.get(), session.getRemoteAddress(),
                session.getLocalAddress().getPort(), refusal.getLines());
            return refusal;
        }
        session.setAttachment(REQUIRETLS_REQUESTED, true, State.Transaction);
        return null;
    }

    /** The REQUIRETLS parameter of a MAIL FROM argument as written, in any case, with its value if one was given. */
    static Optional<String> requireTlsParameter(String argument) {
        if (argument == null) {
            return Optional.empty();
        }
        int open = argument.indexOf('<');
        int close = open < 0 ? -1 : argument.indexOf('>', open);
        if (close < 0) {
            return Optional.empty();
        }
        return Splitter.onPattern("\\s+").omitEmptyStrings().splitToStream(argument.substring(close + 1))
            .filter(parameter -> parameter.split("=", 2)[0].toUpperCase(Locale.US).equals(KEYWORD))
            .findFirst();
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (session.getAttachment(REQUIRETLS_REQUESTED, State.Transaction).orElse(false)) {
            TlsRequirement.markRequireTls(mail);
        }
        return HookResult.DECLINED;
    }
}
