package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Preconditions;

/**
 * One open, greeted, EHLO'd, (STARTTLS'd) and (authenticated) SMTP client session, RFC 5321,
 * made by {@link SessionSetup}. It runs one {@link MailTransaction} at a time; a pool may hand it
 * to another thread between transactions, never during one.
 */
public final class SmtpSession {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpSession.class);

    /**
     * Connects and runs the session up to the point where MAIL FROM may be sent.
     *
     * @throws HostFailure when this host cannot be used now; nothing of the message was sent
     */
    static SmtpSession open(Target target, TlsSockets tlsSockets, Watchdog watchdog, Instant now) throws HostFailure {
        return SessionSetup.open(target, tlsSockets, watchdog, now);
    }

    private final SmtpConnection connection;
    private final Target target;
    private final Capabilities capabilities;
    private final Optional<SSLSession> tlsSession;
    private final boolean tlsAuthenticated;
    private int transactions;
    private Instant lastUsed;
    private boolean open = true;
    private boolean resetWithNextTransaction;

    SmtpSession(SmtpConnection connection, Target target, Capabilities capabilities, Optional<SSLSession> tlsSession,
                boolean tlsAuthenticated, Instant now) {
        this.connection = connection;
        this.target = target;
        this.capabilities = capabilities;
        this.tlsSession = tlsSession;
        this.tlsAuthenticated = tlsAuthenticated && tlsSession.isPresent();
        this.lastUsed = now;
    }

    /** Runs one mail transaction. Never throws: I/O errors become an interruption. */
    public TransactionResult send(Envelope envelope, MessageContent content) {
        transactions++;
        boolean resetFirst = resetWithNextTransaction;
        resetWithNextTransaction = false;
        return new MailTransaction(this, envelope, content).run(resetFirst);
    }

    /**
     * A pooled session about to be reused: its check, RSET, goes in the same write as the next
     * transaction's envelope (RFC 2920 3.1 lets RSET stand anywhere in a group), instead of a
     * round trip of its own. Only for a server that offers PIPELINING; if the RSET fails, the
     * transaction is reported {@link TransactionResult#staleSession() stale}: nothing took place.
     */
    public void resetWithNextTransaction() {
        Preconditions.checkState(capabilities.pipelining(), "RSET is sent with the next transaction only to a server that offers PIPELINING");
        resetWithNextTransaction = true;
    }

    /**
     * RSET, expecting 250: ends a failed transaction, and proves a pooled session is still alive.
     *
     * @return true when the session can run another transaction
     */
    public boolean reset() {
        try {
            connection.sendLine("RSET");
            ServerReply reply = connection.readReply(target.deadlines().rset(), "RSET");
            if (reply.code() != 250) {
                open = false;
            }
        } catch (IOException e) {
            LOGGER.debug("RSET failed on {}", target.describe(), e);
            closeQuietly();
        }
        return open;
    }

    /** QUIT then close; failures are of no consequence any more, so they are only logged. */
    public void quit() {
        boolean quit = open;
        open = false;
        connection.end(quit, target.describe());
    }

    /** Closes the connection without QUIT, for a session out of step with the server. */
    public void abort() {
        closeQuietly();
    }

    void closeQuietly() {
        open = false;
        connection.end(false, target.describe());
    }

    /** The server closed the session (421, lost connection): no QUIT any more. */
    void markClosed() {
        open = false;
    }

    SmtpConnection connection() {
        return connection;
    }

    Target target() {
        return target;
    }

    public boolean isOpen() {
        return open;
    }

    public int transactions() {
        return transactions;
    }

    public Instant lastUsed() {
        return lastUsed;
    }

    public void markUsed(Instant now) {
        this.lastUsed = now;
    }

    public String describe() {
        return target.describe();
    }

    /** The TLS session, absent in plaintext (for checks after the fact, such as an MTA-STS testing policy). */
    public Optional<SSLSession> tlsSession() {
        return tlsSession;
    }

    public Optional<String> tlsProtocol() {
        return tlsSession.map(SSLSession::getProtocol);
    }

    public Optional<String> tlsCipher() {
        return tlsSession.map(SSLSession::getCipherSuite);
    }

    /**
     * This session's TLS peer was authenticated: the one fact REQUIRETLS (RFC 8689) relies on.
     * Set by {@link SessionSetup}: TLS whose certificate was verified against a configured name
     * ({@link Target#mayAuthenticatePeer()}); DANE and MTA-STS set it when their checks pass.
     */
    public boolean tlsAuthenticated() {
        return tlsAuthenticated;
    }

    public Capabilities capabilities() {
        return capabilities;
    }
}
