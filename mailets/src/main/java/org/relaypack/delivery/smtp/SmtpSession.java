package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.Credentials;
import org.relaypack.delivery.SmtpReply;
import org.relaypack.delivery.TlsMode;
import org.relaypack.delivery.TlsPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Preconditions;


/**
 * One open, greeted, EHLO'd, (STARTTLS'd) and (authenticated) SMTP client session, RFC 5321.
 * It runs one mail transaction at a time; a pool may hand it to another thread between
 * transactions, never during one.
 */
public final class SmtpSession {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpSession.class);
    private static final String PLAIN = "PLAIN";
    private static final String LOGIN = "LOGIN";

    /** Where to connect and under which rules. */
    public static final class Target {
        private final String hostName;
        private final InetSocketAddress address;
        private final TlsPolicy tls;
        private final Optional<Credentials> credentials;
        private final String heloName;
        private final Duration connectTimeout;
        private final Duration readTimeout;
        private String description;

        public Target(String hostName, InetSocketAddress address, TlsPolicy tls, Optional<Credentials> credentials,
                      String heloName, Duration connectTimeout, Duration readTimeout) {
            this.hostName = hostName;
            this.address = address;
            this.tls = tls;
            this.credentials = credentials;
            this.heloName = heloName;
            this.connectTimeout = connectTimeout;
            this.readTimeout = readTimeout;
        }

        /** "mx.example.com[192.0.2.1]:25", the way Postfix names a relay in its logs. */
        public String describe() {
            String description = this.description;
            if (description == null) {
                // Racy but safe: every thread computes the same immutable String.
                description = hostName + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
                this.description = description;
            }
            return description;
        }
    }

    /**
     * Connects and runs the session up to the point where MAIL FROM may be sent.
     *
     * @throws HostFailure when this host cannot be used now; nothing of the message was sent
     */
    public static SmtpSession open(Target target, TlsSockets tlsSockets, Instant now) throws HostFailure {
        SmtpConnection connection;
        try {
            connection = SmtpConnection.connect(target.address, target.connectTimeout, target.readTimeout);
        } catch (IOException e) {
            throw new HostFailure(HostFailure.localReply("4.4.1", "connect to " + target.describe() + " failed: " + e), e);
        }
        SmtpSession session = new SmtpSession(connection, target, now);
        try {
            session.setUp(tlsSockets);
            return session;
        } catch (HostFailure e) {
            session.closeQuietly();
            throw e;
        } catch (IOException e) {
            session.closeQuietly();
            throw new HostFailure(HostFailure.localReply("4.4.2", "lost connection with " + target.describe() + " while setting up the session: " + e), e);
        } catch (RuntimeException e) {
            // e.g. a password file that became unreadable: this host cannot be used now, the mail stays queued
            LOGGER.error("Unexpected failure while setting up a session with {}", target.describe(), e);
            session.closeQuietly();
            throw new HostFailure(HostFailure.localReply("4.3.0", "local error while setting up the session with " + target.describe() + ": " + e), e);
        }
    }

    private final SmtpConnection connection;
    private final Target target;
    private Capabilities capabilities = Capabilities.NONE;
    private Optional<SSLSession> tlsSession = Optional.empty();
    private int transactions;
    private Instant lastUsed;
    private boolean open = true;
    private boolean resetWithNextTransaction;

    private SmtpSession(SmtpConnection connection, Target target, Instant now) {
        this.connection = connection;
        this.target = target;
        this.lastUsed = now;
    }

    private void setUp(TlsSockets tlsSockets) throws IOException, HostFailure {
        TlsPolicy tls = target.tls;
        if (tls.mode() == TlsMode.IMPLICIT) {
            startTls(tlsSockets);
        }
        ServerReply greeting = connection.readReply();
        if (!greeting.isPositiveCompletion()) {
            throw new HostFailure(greeting.asSmtpReply());
        }
        ehlo(!tls.mode().requiresTls() && target.credentials.isEmpty());

        if (tlsSession.isEmpty() && tls.mode() != TlsMode.NONE && capabilities.startTls()) {
            connection.sendLine("STARTTLS");
            ServerReply reply = connection.readReply();
            if (reply.code() == 220) {
                if (connection.hasUnsolicitedInput()) {
                    throw new HostFailure(HostFailure.localReply("4.7.0", target.describe() + " sent data after its 220 to STARTTLS (command injection?)"));
                }
                startTls(tlsSockets);
                ehlo(false);
            } else if (tls.mode().requiresTls()) {
                throw quitting(new HostFailure(reply.asSmtpReply()));
            } else {
                LOGGER.info("{} refused STARTTLS ({}), continuing in plaintext as the TLS policy allows", target.describe(), reply.asSmtpReply().asString());
            }
        }
        if (tls.mode().requiresTls() && tlsSession.isEmpty()) {
            throw quitting(new HostFailure(HostFailure.localReply("4.7.4", "TLS is required, but was not offered by " + target.describe())));
        }
        if (target.credentials.isPresent()) {
            authenticate(target.credentials.get());
        }
    }

    private void startTls(TlsSockets tlsSockets) throws HostFailure {
        try {
            SSLSocket socket = tlsSockets.handshake(connection.socket(), target.hostName, target.address.getPort(), target.tls);
            connection.upgrade(socket);
            tlsSession = Optional.of(socket.getSession());
            capabilities = Capabilities.NONE;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new HostFailure(HostFailure.localReply("4.7.5", "TLS handshake with " + target.describe() + " failed: " + e), e);
        }
    }

    private void ehlo(boolean heloAllowed) throws IOException, HostFailure {
        connection.sendLine("EHLO " + target.heloName);
        ServerReply reply = connection.readReply();
        if (reply.isPositiveCompletion()) {
            capabilities = Capabilities.fromEhlo(reply);
            return;
        }
        if (reply.isPermanent() && heloAllowed) {
            connection.sendLine("HELO " + target.heloName);
            ServerReply heloReply = connection.readReply();
            if (heloReply.isPositiveCompletion()) {
                capabilities = Capabilities.NONE;
                return;
            }
            throw new HostFailure(heloReply.asSmtpReply());
        }
        throw new HostFailure(reply.asSmtpReply());
    }

    private void authenticate(Credentials credentials) throws IOException, HostFailure {
        if (tlsSession.isEmpty()) {
            throw quitting(new HostFailure(HostFailure.localReply("4.7.0", "credentials are configured but TLS is not in force with "
                + target.describe() + ": AUTH not sent")));
        }
        if (!capabilities.auth()) {
            throw quitting(new HostFailure(HostFailure.localReply("4.7.0", "credentials are configured but " + target.describe() + " offers no AUTH")));
        }
        Optional<String> mechanism = capabilities.authMechanism(PLAIN, LOGIN);
        if (mechanism.isEmpty()) {
            throw quitting(new HostFailure(HostFailure.localReply("4.7.0", target.describe() + " offers neither AUTH PLAIN nor AUTH LOGIN")));
        }
        ServerReply reply;
        if (mechanism.get().equals(PLAIN)) {
            String response = "\0" + credentials.username() + "\0" + credentials.password();
            connection.sendLine("AUTH PLAIN " + base64(response));
            reply = connection.readReply();
        } else {
            connection.sendLine("AUTH LOGIN");
            reply = connection.readReply();
            if (reply.code() == 334) {
                connection.sendLine(base64(credentials.username()));
                reply = connection.readReply();
            }
            if (reply.code() == 334) {
                connection.sendLine(base64(credentials.password()));
                reply = connection.readReply();
            }
        }
        if (reply.code() != 235) {
            LOGGER.warn("AUTH {} as '{}' (password from {}) failed at {}: {}; deferring, as Postfix does for SASL failures",
                mechanism.get(), credentials.username(), credentials.passwordSource(), target.describe(), reply.asSmtpReply().asString());
            throw quitting(new HostFailure(reply.asSmtpReply()));
        }
    }

    /** Ends a session that is still in step with the server politely, before giving up on the host. */
    private HostFailure quitting(HostFailure failure) {
        quit();
        return failure;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs one mail transaction. Never throws: I/O errors become an interruption.
     */
    public TransactionResult send(Envelope envelope, MessageContent content) {
        transactions++;
        Map<MailAddress, SmtpReply> finalReplies = new LinkedHashMap<>();
        try {
            if (!capabilities.pipelining()) {
                return sendInLockStep(envelope, content, finalReplies);
            }
            boolean resetFirst = resetWithNextTransaction;
            resetWithNextTransaction = false;
            return sendPipelined(envelope, content, finalReplies, resetFirst);
        } catch (StaleSession e) {
            open = false;
            return TransactionResult.staleSession(HostFailure.localReply("4.4.2",
                "pooled session with " + target.describe() + " was closed: " + e.getMessage()));
        } catch (IOException e) {
            open = false;
            return TransactionResult.interrupted(finalReplies,
                HostFailure.localReply("4.4.2", "lost connection with " + target.describe() + " during the transaction: " + e));
        }
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

    /** The RSET sent with the transaction failed: the server never took the transaction. */
    private static final class StaleSession extends IOException {
        private static final long serialVersionUID = 1L;

        private StaleSession(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private TransactionResult sendInLockStep(Envelope envelope, MessageContent content, Map<MailAddress, SmtpReply> finalReplies) throws IOException {
        connection.sendLine(envelope.mailCommand(capabilities, content));
        ServerReply mailReply = connection.readReply();
        Optional<TransactionResult> mailFailure = mailFailure(mailReply, envelope);
        if (mailFailure.isPresent()) {
            return mailFailure.get();
        }
        List<MailAddress> accepted = new ArrayList<>();
        for (MailAddress recipient : envelope.recipients()) {
            connection.sendLine(envelope.rcptCommand(capabilities, recipient));
            ServerReply reply = connection.readReply();
            if (reply.isServiceClosing()) {
                return closedByServer(reply, finalReplies);
            }
            recordRcptReply(recipient, reply, accepted, finalReplies);
        }
        if (accepted.isEmpty()) {
            return resetAfterNoRecipient(finalReplies);
        }
        connection.sendLine("DATA");
        return afterDataCommand(connection.readReply(), accepted, content, finalReplies);
    }

    private TransactionResult sendPipelined(Envelope envelope, MessageContent content, Map<MailAddress, SmtpReply> finalReplies,
                                            boolean resetFirst) throws IOException {
        List<String> commands = new ArrayList<>();
        if (resetFirst) {
            commands.add("RSET");
        }
        commands.add(envelope.mailCommand(capabilities, content));
        envelope.recipients().forEach(recipient -> commands.add(envelope.rcptCommand(capabilities, recipient)));
        commands.add("DATA");
        if (resetFirst) {
            checkReset(commands);
        } else {
            connection.sendLines(commands);
        }

        ServerReply mailReply = connection.readReply();
        if (mailReply.isServiceClosing()) {
            return closedByServer(mailReply, finalReplies);
        }
        List<MailAddress> accepted = new ArrayList<>();
        for (MailAddress recipient : envelope.recipients()) {
            ServerReply reply = connection.readReply();
            if (reply.isServiceClosing()) {
                return closedByServer(reply, finalReplies);
            }
            if (mailReply.isPositiveCompletion()) {
                recordRcptReply(recipient, reply, accepted, finalReplies);
            }
        }
        ServerReply dataReply = connection.readReply();
        if (!mailReply.isPositiveCompletion() || accepted.isEmpty()) {
            if (dataReply.code() == 354) {
                // RFC 2920 3.1: a server that accepted DATA anyway gets an empty message, then RSET
                connection.sendRaw(new byte[] {'.', '\r', '\n'});
                connection.readReply();
            }
            if (!mailReply.isPositiveCompletion()) {
                return mailFailure(mailReply, envelope).orElseThrow();
            }
            return resetAfterNoRecipient(finalReplies);
        }
        return afterDataCommand(dataReply, accepted, content, finalReplies);
    }

    /** Present when MAIL FROM was not accepted: 5xx is final for every recipient, 4xx tries the next host. */
    private Optional<TransactionResult> mailFailure(ServerReply mailReply, Envelope envelope) throws IOException {
        if (mailReply.isPositiveCompletion()) {
            return Optional.empty();
        }
        if (mailReply.isPermanent()) {
            Map<MailAddress, SmtpReply> replies = new LinkedHashMap<>();
            envelope.recipients().forEach(recipient -> replies.put(recipient, mailReply.asSmtpReply()));
            return Optional.of(TransactionResult.completed(replies, reset()));
        }
        open = false;
        return Optional.of(TransactionResult.interrupted(Map.of(), mailReply.asSmtpReply()));
    }

    private void recordRcptReply(MailAddress recipient, ServerReply reply, List<MailAddress> accepted, Map<MailAddress, SmtpReply> finalReplies) {
        if (reply.isPositiveCompletion()) {
            accepted.add(recipient);
        } else {
            finalReplies.put(recipient, reply.asSmtpReply());
        }
    }

    private TransactionResult resetAfterNoRecipient(Map<MailAddress, SmtpReply> finalReplies) throws IOException {
        return TransactionResult.completed(finalReplies, reset());
    }

    private TransactionResult afterDataCommand(ServerReply dataReply, List<MailAddress> accepted, MessageContent content,
                                               Map<MailAddress, SmtpReply> finalReplies) throws IOException {
        if (dataReply.isServiceClosing()) {
            return closedByServer(dataReply, finalReplies);
        }
        if (dataReply.code() != 354) {
            accepted.forEach(recipient -> finalReplies.put(recipient, dataReply.asSmtpReply()));
            return TransactionResult.completed(finalReplies, reset());
        }
        connection.sendContent(content);
        ServerReply finalReply = connection.readReply();
        if (finalReply.isServiceClosing()) {
            return closedByServer(finalReply, finalReplies);
        }
        accepted.forEach(recipient -> finalReplies.put(recipient, finalReply.asSmtpReply()));
        return TransactionResult.completed(finalReplies, finalReply.isPositiveCompletion() || reset());
    }

    private TransactionResult closedByServer(ServerReply reply, Map<MailAddress, SmtpReply> finalReplies) {
        open = false;
        return TransactionResult.interrupted(finalReplies, reply.asSmtpReply());
    }

    /**
     * Sends the group that starts with RSET and reads the RSET reply. A server that closed the
     * session meanwhile fails the write or the read, or answers 421: the session is stale. Any
     * other reply than 250 leaves the server's state unknown: the session is dropped, without QUIT,
     * before any message content is sent, so no transaction can complete on it.
     */
    private void checkReset(List<String> commands) throws IOException {
        ServerReply reply;
        try {
            connection.sendLines(commands);
            reply = connection.readReply();
        } catch (IOException e) {
            throw new StaleSession(e.toString(), e);
        }
        if (reply.code() != 250) {
            closeQuietly();
            throw new StaleSession("RSET answered " + reply.asSmtpReply().asString(), null);
        }
    }

    /**
     * RSET, expecting 250: ends a failed transaction, and proves a pooled session is still alive.
     *
     * @return true when the session can run another transaction
     */
    public boolean reset() {
        try {
            connection.sendLine("RSET");
            ServerReply reply = connection.readReply();
            if (reply.code() != 250) {
                open = false;
            }
        } catch (IOException e) {
            LOGGER.debug("RSET failed on {}", target.describe(), e);
            open = false;
        }
        return open;
    }

    /** QUIT then close; failures are of no consequence any more, so they are only logged. */
    public void quit() {
        if (open) {
            try {
                connection.sendLine("QUIT");
                connection.readReply();
            } catch (IOException e) {
                LOGGER.debug("QUIT failed on {}", target.describe(), e);
            }
        }
        closeQuietly();
    }

    /** Closes the connection without QUIT, for a session out of step with the server. */
    public void abort() {
        closeQuietly();
    }

    private void closeQuietly() {
        open = false;
        try {
            connection.close();
        } catch (IOException e) {
            LOGGER.debug("closing the connection to {} failed", target.describe(), e);
        }
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

    public Optional<String> tlsProtocol() {
        return tlsSession.map(SSLSession::getProtocol);
    }

    public Optional<String> tlsCipher() {
        return tlsSession.map(SSLSession::getCipherSuite);
    }

    public Capabilities capabilities() {
        return capabilities;
    }
}
