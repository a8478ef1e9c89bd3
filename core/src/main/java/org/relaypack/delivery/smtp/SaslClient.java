package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP AUTH (RFC 4954) with PLAIN (RFC 4616) or LOGIN, as Postfix's smtp_sasl_glue.c: only over
 * TLS, and a refusal defers the mail (the credentials may be fixed meanwhile).
 */
final class SaslClient {
    private static final Logger LOGGER = LoggerFactory.getLogger(SaslClient.class);
    private static final String PLAIN = "PLAIN";
    private static final String LOGIN = "LOGIN";

    private final SmtpConnection connection;
    private final Target target;
    private final Capabilities capabilities;
    private final boolean tlsActive;
    private final Duration deadline;

    SaslClient(SmtpConnection connection, Target target, Capabilities capabilities, boolean tlsActive) {
        this.connection = connection;
        this.target = target;
        this.capabilities = capabilities;
        this.tlsActive = tlsActive;
        this.deadline = target.deadlines().helo();
    }

    void authenticate(Credentials credentials) throws IOException, HostFailure {
        if (!tlsActive) {
            throw HostFailure.quitting(HostFailure.localReply("4.7.0", "credentials are configured but TLS is not in force with "
                + target.describe() + ": AUTH not sent"));
        }
        if (!capabilities.auth()) {
            throw HostFailure.quitting(HostFailure.localReply("4.7.0", "credentials are configured but " + target.describe() + " offers no AUTH"));
        }
        Optional<String> mechanism = capabilities.authMechanism(PLAIN, LOGIN);
        if (mechanism.isEmpty()) {
            throw HostFailure.quitting(HostFailure.localReply("4.7.0", target.describe() + " offers neither AUTH PLAIN nor AUTH LOGIN"));
        }
        ServerReply reply;
        if (mechanism.get().equals(PLAIN)) {
            String response = "\0" + credentials.username() + "\0" + credentials.password();
            reply = exchange("AUTH PLAIN " + base64(response));
        } else {
            reply = exchange("AUTH LOGIN");
            if (reply.code() == 334) {
                reply = exchange(base64(credentials.username()));
            }
            if (reply.code() == 334) {
                reply = exchange(base64(credentials.password()));
            }
        }
        if (reply.code() != 235) {
            LOGGER.warn("AUTH {} as '{}' (password from {}) failed at {}: {}; deferring, as Postfix does for SASL failures",
                mechanism.get(), credentials.username(), credentials.passwordSource(), target.describe(), reply.asSmtpReply().asString());
            throw HostFailure.quitting(reply.asSmtpReply());
        }
    }

    private ServerReply exchange(String line) throws IOException {
        connection.sendLine(line);
        return connection.readReply(deadline, "AUTH");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
