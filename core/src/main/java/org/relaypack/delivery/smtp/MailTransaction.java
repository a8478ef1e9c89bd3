package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;

/**
 * One mail transaction (RFC 5321 3.3), lock-step or pipelined (RFC 2920), as Postfix's
 * smtp_proto.c. Each reply has its own deadline; any answer to DATA but 354 ends the
 * transaction; a reply lost after the final dot is a temporary failure of the accepted
 * recipients (the server may have taken the message: a retry may deliver it twice).
 */
final class MailTransaction {
    private final SmtpSession session;
    private final SmtpConnection connection;
    private final SessionDeadlines deadlines;
    private final Capabilities capabilities;
    private final Envelope envelope;
    private final MessageContent content;
    private final Map<MailAddress, SmtpReply> finalReplies = new LinkedHashMap<>();
    private final List<MailAddress> accepted = new ArrayList<>();

    MailTransaction(SmtpSession session, Envelope envelope, MessageContent content) {
        this.session = session;
        this.connection = session.connection();
        this.deadlines = session.target().deadlines();
        this.capabilities = session.capabilities();
        this.envelope = envelope;
        this.content = content;
    }

    /** Never throws: I/O errors become an interruption. */
    TransactionResult run(boolean resetFirst) {
        try {
            if (!capabilities.pipelining()) {
                return inLockStep();
            }
            return pipelined(resetFirst);
        } catch (StaleSession e) {
            session.markClosed();
            return TransactionResult.staleSession(HostFailure.localReply("4.4.2",
                "pooled session with " + describe() + " was closed: " + e.getMessage()));
        } catch (IOException e) {
            session.closeQuietly();
            return TransactionResult.interrupted(finalReplies,
                HostFailure.localReply("4.4.2", "lost connection with " + describe() + " during the transaction: " + e));
        }
    }

    /** The RSET sent with the transaction failed: the server never took the transaction. */
    private static final class StaleSession extends IOException {
        private static final long serialVersionUID = 1L;

        private StaleSession(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private TransactionResult inLockStep() throws IOException {
        connection.sendLine(envelope.mailCommand(capabilities, content));
        ServerReply mailReply = connection.readReply(deadlines.mail(), "MAIL FROM");
        if (!mailReply.isPositiveCompletion()) {
            return mailFailure(mailReply);
        }
        for (MailAddress recipient : envelope.recipients()) {
            connection.sendLine(envelope.rcptCommand(capabilities, recipient));
            ServerReply reply = connection.readReply(deadlines.rcpt(), "RCPT TO");
            if (reply.isServiceClosing()) {
                return closedByServer(reply);
            }
            recordRcptReply(recipient, reply);
        }
        if (accepted.isEmpty()) {
            return TransactionResult.completed(finalReplies, session.reset());
        }
        connection.sendLine("DATA");
        return afterDataCommand(connection.readReply(deadlines.dataInit(), "DATA"));
    }

    private TransactionResult pipelined(boolean resetFirst) throws IOException {
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

        ServerReply mailReply = connection.readReply(deadlines.mail(), "MAIL FROM");
        if (mailReply.isServiceClosing()) {
            return closedByServer(mailReply);
        }
        for (MailAddress recipient : envelope.recipients()) {
            ServerReply reply = connection.readReply(deadlines.rcpt(), "RCPT TO");
            if (reply.isServiceClosing()) {
                return closedByServer(reply);
            }
            if (mailReply.isPositiveCompletion()) {
                recordRcptReply(recipient, reply);
            }
        }
        ServerReply dataReply = connection.readReply(deadlines.dataInit(), "DATA");
        if (!mailReply.isPositiveCompletion() || accepted.isEmpty()) {
            if (dataReply.code() == 354) {
                // RFC 2920 3.1: a server that accepted DATA anyway gets an empty message, then RSET
                connection.sendRaw(new byte[] {'.', '\r', '\n'});
                connection.readReply(deadlines.dataDone(), "the end of an empty message");
            }
            if (!mailReply.isPositiveCompletion()) {
                return mailFailure(mailReply);
            }
            return TransactionResult.completed(finalReplies, session.reset());
        }
        return afterDataCommand(dataReply);
    }

    /** MAIL FROM was not accepted: 5xx is final for every recipient, 4xx tries the next host. */
    private TransactionResult mailFailure(ServerReply mailReply) {
        if (mailReply.isPermanent()) {
            envelope.recipients().forEach(recipient -> finalReplies.put(recipient, mailReply.asSmtpReply()));
            return TransactionResult.completed(finalReplies, session.reset());
        }
        session.markClosed();
        return TransactionResult.interrupted(Map.of(), mailReply.asSmtpReply());
    }

    private void recordRcptReply(MailAddress recipient, ServerReply reply) {
        if (reply.isPositiveCompletion()) {
            accepted.add(recipient);
        } else {
            finalReplies.put(recipient, reply.asSmtpReply());
        }
    }

    private TransactionResult afterDataCommand(ServerReply dataReply) throws IOException {
        if (dataReply.isServiceClosing()) {
            return closedByServer(dataReply);
        }
        if (dataReply.code() != 354) {
            if (dataReply.isTransient() || dataReply.isPermanent()) {
                accepted.forEach(recipient -> finalReplies.put(recipient, dataReply.asSmtpReply()));
                return TransactionResult.completed(finalReplies, session.reset());
            }
            // Postfix: anything but 3xx to DATA is a protocol error; nothing was sent, the state of the server is unknown
            session.closeQuietly();
            return TransactionResult.interrupted(finalReplies, HostFailure.localReply("4.5.0", "protocol error: " + describe()
                + " answered DATA with '" + dataReply.asSmtpReply().asString() + "' instead of 354; the message was not sent"));
        }
        try {
            connection.sendContent(content);
        } catch (MessageContent.UnreadableMessageException e) {
            // the terminator was not sent: dropping the connection makes the server discard the transaction
            session.closeQuietly();
            SmtpReply reply = HostFailure.localReply("4.3.0", e.getMessage());
            accepted.forEach(recipient -> finalReplies.put(recipient, reply));
            return TransactionResult.completed(finalReplies, false);
        }
        ServerReply finalReply;
        try {
            finalReply = connection.readReply(deadlines.dataDone(), "the end of the message");
        } catch (IOException e) {
            return replyLostAfterTheMessage(e);
        }
        if (finalReply.isServiceClosing()) {
            return closedByServer(finalReply);
        }
        accepted.forEach(recipient -> finalReplies.put(recipient, finalReply.asSmtpReply()));
        return TransactionResult.completed(finalReplies, finalReply.isPositiveCompletion() || session.reset());
    }

    /**
     * The whole message went out but its reply never came: the server may have taken it. The
     * accepted recipients are deferred, not sent to the next host at once; the retry may
     * deliver a second copy (RFC 5321 6.1 prefers that to a loss).
     */
    private TransactionResult replyLostAfterTheMessage(IOException e) {
        session.closeQuietly();
        String what = e instanceof SocketTimeoutException ? "timed out waiting for the reply to the end of the message" : "lost the connection after the end of the message";
        SmtpReply reply = HostFailure.localReply("4.4.2", "conversation with " + describe() + " " + what + " (" + e.getMessage()
            + "); the message may have been delivered and may arrive twice");
        accepted.forEach(recipient -> finalReplies.put(recipient, reply));
        return TransactionResult.completed(finalReplies, false);
    }

    private TransactionResult closedByServer(ServerReply reply) {
        session.markClosed();
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
            reply = connection.readReply(deadlines.rset(), "RSET");
        } catch (IOException e) {
            throw new StaleSession(e.toString(), e);
        }
        if (reply.code() != 250) {
            session.closeQuietly();
            throw new StaleSession("RSET answered " + reply.asSmtpReply().asString(), null);
        }
    }

    private String describe() {
        return session.describe();
    }
}
