package org.relaypack.runner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;

import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

import com.google.common.io.ByteStreams;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * A local stand-in for a peer of the relay (a provider's relay, a partner's MX, a mailbox server):
 * a real SMTP server (SubEthaSMTP) with the TLS and AUTH its sample asks for, that stores each
 * message it accepts in the recipient's mailbox, readable back over IMAP (GreenMail) as that
 * recipient with any password. It accepts the null sender (DSNs).
 */
public final class StandIn implements AutoCloseable {
    private final StandInSpec spec;
    private final SMTPServer smtp;
    private final GreenMail imap;
    private final int smtpPort;
    private final int imapPort;

    /**
     * @param tls the server side of its TLS, required unless the spec says {@code none}
     * @param password the password its AUTH user must give, required when the spec has AUTH
     */
    public static StandIn start(StandInSpec spec, int smtpPort, int imapPort, Optional<SSLContext> tls, Optional<String> password) {
        GreenMail imap = new GreenMail(new ServerSetup(imapPort, "127.0.0.1", ServerSetup.PROTOCOL_IMAP))
            .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        imap.start();
        SMTPServer.Builder smtp = SMTPServer.port(smtpPort)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName(spec.name() + ".standin.relaypack")
            .messageHandlerFactory(context -> new Store(imap));
        switch (spec.tls()) {
            case STARTTLS:
                smtp.enableTLS().startTlsSocketFactory(required(tls, spec));
                break;
            case STARTTLS_REQUIRED:
                smtp.enableTLS().startTlsSocketFactory(required(tls, spec)).requireTLS();
                break;
            case IMPLICIT:
                smtp.serverSocketFactory(required(tls, spec));
                break;
            default:
                break;
        }
        if (spec.authUsername().isPresent()) {
            String username = spec.authUsername().get();
            String expected = password.orElseThrow(() -> new IllegalArgumentException("stand-in " + spec.name() + ": no AUTH password"));
            smtp.requireAuth().authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, pass, context) -> {
                if (!user.equals(username) || !pass.equals(expected)) {
                    throw new LoginFailedException();
                }
            }));
        }
        SMTPServer server = smtp.build();
        try {
            server.start();
        } catch (RuntimeException e) {
            imap.stop();
            throw new IllegalStateException("stand-in " + spec.name() + ": cannot listen on 127.0.0.1:" + smtpPort + ": " + e, e);
        }
        return new StandIn(spec, server, imap, smtpPort, imapPort);
    }

    private static SSLContext required(Optional<SSLContext> tls, StandInSpec spec) {
        return tls.orElseThrow(() -> new IllegalArgumentException("stand-in " + spec.name() + ": no TLS key"));
    }

    private StandIn(StandInSpec spec, SMTPServer smtp, GreenMail imap, int smtpPort, int imapPort) {
        this.spec = spec;
        this.smtp = smtp;
        this.imap = imap;
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
    }

    public String name() {
        return spec.name();
    }

    public StandInSpec spec() {
        return spec;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public int imapPort() {
        return imapPort;
    }

    public GreenMail greenMail() {
        return imap;
    }

    @Override
    public void close() {
        smtp.stop();
        imap.stop();
    }

    /** One SMTP transaction, stored in each recipient's INBOX at the end of DATA. */
    private static final class Store implements MessageHandler {
        private final GreenMail imap;
        private final List<String> recipients = new ArrayList<>();

        private Store(GreenMail imap) {
            this.imap = imap;
        }

        @Override
        public void from(String from) {
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            byte[] bytes = ByteStreams.toByteArray(data);
            try {
                for (String recipient : recipients) {
                    user(recipient).deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes)));
                }
            } catch (MessagingException | UserException e) {
                throw new RejectException(451, "4.3.0 stand-in could not store the message: " + e.getMessage());
            }
            return null;
        }

        private GreenMailUser user(String address) throws UserException {
            synchronized (imap) {
                GreenMailUser user = imap.getManagers().getUserManager().getUser(address);
                return user != null ? user : imap.getManagers().getUserManager().createUser(address, address, "any");
            }
        }

        @Override
        public void done() {
        }
    }

}
