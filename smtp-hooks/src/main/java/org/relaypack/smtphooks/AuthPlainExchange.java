package org.relaypack.smtphooks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ExtensibleHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.AuthCmdHandler;
import org.relaypack.config.ConfigElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * RFC 4954 section 4: once the server has answered the client's response to {@code 334}, the AUTH
 * exchange is over and the next line is a command. James 3.8.1's {@code AuthCmdHandler} answers an
 * undecodable {@code AUTH PLAIN} response with {@code 501} but leaves its line handler in place, so
 * it reads the client's next command (say {@code QUIT}) as more AUTH data.
 *
 * <p>This handler takes over {@code AUTH PLAIN} without an initial response: it answers {@code 334},
 * reads the one response line itself and always ends the exchange there: {@code *} gets
 * {@code 501 5.7.0 Authentication aborted}, a line that is not base64 gets
 * {@code 501 5.5.2 Invalid base64 in the AUTH PLAIN response}, and anything else is handed to James's
 * own AUTH handler as an initial response ({@code AUTH PLAIN <response>}), so credentials are
 * checked by James's AUTH hooks exactly as before. Every other AUTH form is left to James.
 */
public class AuthPlainExchange implements CommandHandler<SMTPSession>, ExtensibleHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthPlainExchange.class);

    public static final String NAME = "AuthPlainExchange";

    private static final Collection<String> COMMANDS = ImmutableSet.of("AUTH");
    private static final String PLAIN = "PLAIN";
    private static final String CANCEL = "*";

    static final Response READY = new SMTPResponse(SMTPRetCode.AUTH_READY, "").immutable();
    static final Response ABORTED = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS, "5.7.0 Authentication aborted").immutable();
    static final Response NOT_BASE64 = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS,
        "5.5.2 Invalid base64 in the AUTH PLAIN response").immutable();

    private CommandHandler<SMTPSession> james;

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        ConfigElement.ofHandler(NAME, configuration).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
    }

    @Override
    public List<Class<?>> getMarkerInterfaces() {
        return ImmutableList.of(CommandHandler.class);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void wireExtensions(Class<?> interfaceName, List<?> extensions) throws WiringException {
        james = extensions.stream()
            .filter(AuthCmdHandler.class::isInstance)
            .map(handler -> (CommandHandler<SMTPSession>) handler)
            .findFirst()
            .orElseThrow(() -> new WiringException(NAME + ": James's " + AuthCmdHandler.class.getName()
                + " is not in this handler chain (keep the core handlers: coreHandlersPackage)"));
    }

    /** A test seam: the handler that checks the credentials. */
    void delegateTo(CommandHandler<SMTPSession> james) {
        this.james = james;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String argument = request.getArgument();
        if (argument == null || !argument.trim().toUpperCase(Locale.US).equals(PLAIN)
            || session.getUsername() != null || !session.getConfiguration().isPlainAuthEnabled()) {
            return null;
        }
        session.pushLineHandler(new ResponseLine());
        return READY;
    }

    /** The client's one response to 334; the exchange ends with the answer to it, whatever it is. */
    private final class ResponseLine implements LineHandler<SMTPSession> {
        @Override
        public Response onLine(SMTPSession session, byte[] buffer) {
            session.popLineHandler();
            String line = new String(buffer, StandardCharsets.US_ASCII).trim();
            if (line.equals(CANCEL)) {
                return ABORTED;
            }
            if (!isBase64(line)) {
                LOGGER.info("Refused an AUTH PLAIN response that is not base64 from {} on port {}",
                    session.getRemoteAddress(), session.getLocalAddress().getPort());
                return NOT_BASE64;
            }
            return james.onCommand(session, new BaseRequest("AUTH", PLAIN + " " + line));
        }
    }

    static boolean isBase64(String line) {
        try {
            Base64.getDecoder().decode(line);
            return !line.isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
