package org.relaypack.delivery.smtp;

import java.util.Objects;
import java.util.Optional;

import org.relaypack.tls.report.TlsResultType;


/**
 * This host cannot take the message now (connection, TLS, greeting, EHLO or AUTH failure, 4xx to
 * MAIL, 421): the recipients that have no final answer yet go to the next host.
 */
public class HostFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** A reply made locally for a failure that had no server reply; always transient. */
    public static SmtpReply localReply(String enhancedCode, String text) {
        return SmtpReply.of(451, enhancedCode + " " + text);
    }

    /** A failure after which the session is still in step with the server: end it with QUIT. */
    static HostFailure quitting(SmtpReply reason) {
        HostFailure failure = new HostFailure(reason);
        failure.quit = true;
        return failure;
    }

    private final transient SmtpReply reason;
    transient boolean quit;
    private transient Optional<TlsResultType> tlsResult = Optional.empty();

    public HostFailure(SmtpReply reason) {
        super(reason.asString());
        this.reason = Objects.requireNonNull(reason);
    }

    public HostFailure(SmtpReply reason, Throwable cause) {
        super(reason.asString(), cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public SmtpReply reason() {
        return reason;
    }

    /** This failure as RFC 8460 reports it: TLS not offered, or a failed handshake; empty for any other failure. */
    public Optional<TlsResultType> tlsResult() {
        return tlsResult;
    }

    HostFailure withTlsResult(TlsResultType type) {
        this.tlsResult = Optional.of(type);
        return this;
    }
}
