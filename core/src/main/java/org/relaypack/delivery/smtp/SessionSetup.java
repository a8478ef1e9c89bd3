package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.report.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session set-up, as Postfix's smtp_connect.c and the start of smtp_proto.c: connect, greeting,
 * EHLO (HELO when allowed), STARTTLS under the TLS policy, then SASL. Under opportunistic TLS
 * (Postfix {@code may}) a failed handshake is retried once in plaintext on a new connection;
 * never under a mode that requires TLS.
 */
final class SessionSetup {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionSetup.class);

    /** The TLS handshake failed: the connection is unusable, the host may still take plaintext. */
    static final class HandshakeFailure extends HostFailure {
        private static final long serialVersionUID = 1L;

        HandshakeFailure(String text, Throwable cause) {
            super(HostFailure.localReply("4.7.5", text), cause);
            withTlsResult(TlsResultType.ofHandshakeFailure(cause));
        }
    }

    static SmtpSession open(Target target, TlsSockets tlsSockets, Watchdog watchdog, Instant now) throws HostFailure {
        try {
            return openOnce(target, tlsSockets, watchdog, now, true);
        } catch (HandshakeFailure e) {
            if (target.tls().mode() != TlsMode.OPPORTUNISTIC) {
                throw e;
            }
            LOGGER.info("{}; retrying {} in plaintext on a new connection, as opportunistic TLS allows", e.reason().asString(), target.describe());
            return openOnce(target, tlsSockets, watchdog, now, false);
        }
    }

    private static SmtpSession openOnce(Target target, TlsSockets tlsSockets, Watchdog watchdog, Instant now, boolean tlsAllowed)
        throws HostFailure {
        SmtpConnection connection;
        try {
            connection = SmtpConnection.connect(target.address(), target.deadlines(), watchdog);
        } catch (IOException e) {
            throw new HostFailure(HostFailure.localReply("4.4.1", "connect to " + target.describe() + " failed: " + e), e);
        }
        SessionSetup setup = new SessionSetup(connection, target, tlsSockets);
        try {
            setup.run(tlsAllowed);
            return new SmtpSession(connection, target, setup.capabilities, setup.tlsSession, setup.peerAuthenticated(), now);
        } catch (HostFailure e) {
            setup.close(e.quit);
            throw e;
        } catch (SocketTimeoutException e) {
            setup.close(false);
            throw new HostFailure(HostFailure.localReply("4.4.2", "conversation with " + target.describe() + " timed out while setting up the session: "
                + e.getMessage()), e);
        } catch (IOException e) {
            setup.close(false);
            throw new HostFailure(HostFailure.localReply("4.4.2", "lost connection with " + target.describe() + " while setting up the session: " + e), e);
        } catch (RuntimeException e) {
            // e.g. a password file that became unreadable: this host cannot be used now, the mail stays queued
            LOGGER.error("Unexpected failure while setting up a session with {}", target.describe(), e);
            setup.close(false);
            throw new HostFailure(HostFailure.localReply("4.3.0", "local error while setting up the session with " + target.describe() + ": " + e), e);
        }
    }

    private final SmtpConnection connection;
    private final Target target;
    private final TlsSockets tlsSockets;
    private final Duration deadline;
    private Capabilities capabilities = Capabilities.NONE;
    private Optional<SSLSession> tlsSession = Optional.empty();

    private SessionSetup(SmtpConnection connection, Target target, TlsSockets tlsSockets) {
        this.connection = connection;
        this.target = target;
        this.tlsSockets = tlsSockets;
        this.deadline = target.deadlines().helo();
    }

    private void run(boolean tlsAllowed) throws IOException, HostFailure {
        TlsPolicy tls = target.tls();
        if (tls.mode() == TlsMode.IMPLICIT) {
            startTls();
        }
        ServerReply greeting = connection.readReply(deadline, "the greeting");
        if (!greeting.isPositiveCompletion()) {
            throw new HostFailure(greeting.asSmtpReply());
        }
        ehlo(!tls.mode().requiresTls() && target.credentials().isEmpty());

        if (tlsAllowed && tlsSession.isEmpty() && tls.mode() != TlsMode.NONE && capabilities.startTls()) {
            connection.sendLine("STARTTLS");
            ServerReply reply = connection.readReply(deadline, "STARTTLS");
            if (reply.code() == 220) {
                if (connection.hasUnsolicitedInput()) {
                    throw new HostFailure(HostFailure.localReply("4.7.0", target.describe() + " sent data after its 220 to STARTTLS (command injection?)"));
                }
                startTls();
                ehlo(false);
            } else if (tls.mode().requiresTls()) {
                throw HostFailure.quitting(reply.asSmtpReply()).withTlsResult(TlsResultType.STARTTLS_NOT_SUPPORTED);
            } else {
                LOGGER.info("{} refused STARTTLS ({}), continuing in plaintext as the TLS policy allows", target.describe(), reply.asSmtpReply().asString());
            }
        }
        if (tls.mode().requiresTls() && tlsSession.isEmpty()) {
            throw HostFailure.quitting(HostFailure.localReply("4.7.4", "TLS is required, but was not offered by " + target.describe()))
                .withTlsResult(TlsResultType.STARTTLS_NOT_SUPPORTED);
        }
        if (target.credentials().isPresent()) {
            new SaslClient(connection, target, capabilities, tlsSession.isPresent()).authenticate(target.credentials().get());
        }
    }

    /**
     * The TLS peer was authenticated: the handshake verified the chain and the configured name
     * (endpoint identification). DANE and MTA-STS decide it here for their own checks.
     */
    private boolean peerAuthenticated() {
        return tlsSession.isPresent() && target.mayAuthenticatePeer();
    }

    private void startTls() throws HostFailure {
        try {
            connection.socket().setSoTimeout(Math.toIntExact(deadline.toMillis()));
            SSLSocket socket = connection.guarded(deadline, () -> handshake());
            connection.upgrade(socket);
            tlsSession = Optional.of(socket.getSession());
            capabilities = Capabilities.NONE;
        } catch (IOException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof GeneralSecurityException ? e.getCause() : e;
            throw new HandshakeFailure("TLS handshake with " + target.describe() + " failed: " + cause, cause);
        }
    }

    private SSLSocket handshake() throws IOException {
        try {
            return tlsSockets.handshake(connection.socket(), target.hostName(), target.address().getPort(), target.tls(),
                target.tlsa(), target.nextHopName());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void ehlo(boolean heloAllowed) throws IOException, HostFailure {
        connection.sendLine("EHLO " + target.heloName());
        ServerReply reply = connection.readReply(deadline, "EHLO");
        if (reply.isPositiveCompletion()) {
            capabilities = Capabilities.fromEhlo(reply);
            return;
        }
        if (reply.isPermanent() && heloAllowed) {
            connection.sendLine("HELO " + target.heloName());
            ServerReply heloReply = connection.readReply(deadline, "HELO");
            if (heloReply.isPositiveCompletion()) {
                capabilities = Capabilities.NONE;
                return;
            }
            throw new HostFailure(heloReply.asSmtpReply());
        }
        throw new HostFailure(reply.asSmtpReply());
    }

    /** Ends the connection of a failed set-up: with QUIT when still in step with the server. */
    private void close(boolean quit) {
        connection.end(quit, target.describe());
    }
}
