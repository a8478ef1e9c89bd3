package org.relaypack.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

import com.google.common.collect.ImmutableList;
import com.google.common.io.ByteStreams;

/**
 * A real SMTP server (SubEthaSMTP) on a loopback port, standing for a relay or a mailbox server in
 * tests. It records every transaction with its envelope, accepts the null sender, and counts the
 * SMTP sessions it served. Optional: STARTTLS (offered or required) or implicit TLS, AUTH,
 * recipients it rejects (550) or defers (451).
 */
public final class SmtpPeer implements AutoCloseable {
    /** One accepted transaction: envelope and content. */
    public static final class Transaction {
        private final String sessionId;
        private final String sender;
        private final List<String> recipients;
        private final byte[] data;

        Transaction(String sessionId, String sender, List<String> recipients, byte[] data) {
            this.sessionId = sessionId;
            this.sender = sender;
            this.recipients = ImmutableList.copyOf(recipients);
            this.data = data;
        }

        public String sessionId() {
            return sessionId;
        }

        /** The envelope sender, "" for the null sender. */
        public String sender() {
            return sender;
        }

        public List<String> recipients() {
            return recipients;
        }

        public String content() {
            return new String(data, java.nio.charset.StandardCharsets.UTF_8);
        }

        public MimeMessage message() {
            try {
                return new MimeMessage(javax.mail.Session.getDefaultInstance(new java.util.Properties()), new ByteArrayInputStream(data));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "Transaction{from=<" + sender + ">, to=" + recipients + ", session=" + sessionId + "}";
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean startTls;
        private boolean implicitTls;
        private boolean requireTls;
        private boolean requireAuth;
        private String username;
        private String password;
        private SSLContext tls;
        private Predicate<String> rejectRecipient = recipient -> false;
        private Predicate<String> deferRecipient = recipient -> false;

        /** Offers STARTTLS with the key in this PKCS12 keystore. */
        public Builder startTls(Path keystore, String password) {
            return startTls(TestCertificates.serverContext(keystore, password));
        }

        /** Offers STARTTLS with this server context (e.g. {@link TestCertificates#goodServerContext()}). */
        public Builder startTls(SSLContext tls) {
            this.startTls = true;
            this.tls = tls;
            return this;
        }

        /** TLS from the first byte (port 465 style) with the key in this PKCS12 keystore. */
        public Builder implicitTls(Path keystore, String password) {
            this.implicitTls = true;
            this.tls = TestCertificates.serverContext(keystore, password);
            return this;
        }

        /** Refuses MAIL before STARTTLS. */
        public Builder requireTls() {
            this.requireTls = true;
            return this;
        }

        public Builder requireAuth(String username, String password) {
            this.requireAuth = true;
            this.username = username;
            this.password = password;
            return this;
        }

        /** RCPT for these addresses gets 550. */
        public Builder rejectRecipients(Predicate<String> reject) {
            this.rejectRecipient = reject;
            return this;
        }

        /** RCPT for these addresses gets 451 (try again later). */
        public Builder deferRecipients(Predicate<String> defer) {
            this.deferRecipient = defer;
            return this;
        }

        public SmtpPeer start() {
            return start(LoopbackPorts.free());
        }

        public SmtpPeer start(int port) {
            SmtpPeer peer = new SmtpPeer();
            SMTPServer.Builder server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName("peer.relaypack.test")
                .sessionHandler(peer.new ConnectionCounter())
                .messageHandlerFactory(context -> peer.new Recorder(context, rejectRecipient, deferRecipient));
            if (startTls) {
                server.enableTLS().startTlsSocketFactory(tls);
            }
            if (implicitTls) {
                server.serverSocketFactory(tls);
            }
            if (requireTls) {
                server.requireTLS();
            }
            if (requireAuth) {
                server.requireAuth().authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(
                    (user, pass, context) -> {
                        if (!user.equals(username) || !pass.equals(password)) {
                            throw new LoginFailedException();
                        }
                        peer.authenticatedUsers.add(user);
                    }));
            }
            peer.server = server.build();
            peer.server.start();
            return peer;
        }
    }

    private final List<Transaction> transactions = new CopyOnWriteArrayList<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final List<String> authenticatedUsers = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private SMTPServer server;

    private SmtpPeer() {
    }

    private final class ConnectionCounter implements SessionHandler {
        @Override
        public SessionAcceptance accept(Session session) {
            connections.incrementAndGet();
            return SessionAcceptance.success();
        }

        @Override
        public void onSessionEnd(Session session) {
        }
    }

    private final class Recorder implements MessageHandler {
        private final MessageContext context;
        private final Predicate<String> rejectRecipient;
        private final Predicate<String> deferRecipient;
        private String sender;
        private final List<String> recipients = new ArrayList<>();

        private Recorder(MessageContext context, Predicate<String> rejectRecipient, Predicate<String> deferRecipient) {
            this.context = context;
            this.rejectRecipient = rejectRecipient;
            this.deferRecipient = deferRecipient;
            sessions.add(context.getSessionId());
        }

        @Override
        public void from(String from) {
            this.sender = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            if (rejectRecipient.test(recipient)) {
                throw new RejectException(550, "5.1.1 <" + recipient + ">: no such user here");
            }
            if (deferRecipient.test(recipient)) {
                throw new RejectException(451, "4.2.1 <" + recipient + ">: mailbox busy, try again later");
            }
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws IOException {
            transactions.add(new Transaction(context.getSessionId(), sender, recipients, ByteStreams.toByteArray(data)));
            return null;
        }

        @Override
        public void done() {
        }
    }

    public int port() {
        return server.getPortAllocated();
    }

    public List<Transaction> transactions() {
        return ImmutableList.copyOf(transactions);
    }

    public List<Transaction> transactionsTo(String recipient) {
        return transactions.stream().filter(t -> t.recipients().contains(recipient)).collect(Collectors.toList());
    }

    /** Every SMTP session accepted, including those that never started a transaction. */
    public int connections() {
        return connections.get();
    }

    /** SMTP sessions that reached the message handler (a transaction started). */
    public int sessionCount() {
        return sessions.size();
    }

    public List<String> authenticatedUsers() {
        return ImmutableList.copyOf(authenticatedUsers);
    }

    public void clear() {
        transactions.clear();
        sessions.clear();
        authenticatedUsers.clear();
        connections.set(0);
    }

    @Override
    public void close() {
        server.stop();
    }
}
