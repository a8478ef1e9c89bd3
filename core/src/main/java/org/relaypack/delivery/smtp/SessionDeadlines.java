package org.relaypack.delivery.smtp;

import java.time.Duration;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * How long a session may wait for each step, Postfix's defaults (RFC 5321 4.5.3.2). Every reply
 * deadline bounds the whole reply, however slowly it trickles in; {@link #dataTransfer()} bounds
 * each write of the message (and of commands), cut by a watchdog that closes the socket.
 */
public final class SessionDeadlines {
    /** smtp_connect_timeout. */
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(30);
    /** smtp_helo_timeout: the greeting, EHLO/HELO, STARTTLS and its handshake, AUTH. */
    public static final Duration DEFAULT_HELO = Duration.ofMinutes(5);
    /** smtp_mail_timeout. */
    public static final Duration DEFAULT_MAIL = Duration.ofMinutes(5);
    /** smtp_rcpt_timeout. */
    public static final Duration DEFAULT_RCPT = Duration.ofMinutes(5);
    /** smtp_data_init_timeout: the reply to DATA. */
    public static final Duration DEFAULT_DATA_INIT = Duration.ofMinutes(2);
    /** smtp_data_xfer_timeout: each write that blocks, message content and commands. */
    public static final Duration DEFAULT_DATA_TRANSFER = Duration.ofMinutes(3);
    /** smtp_data_done_timeout (RFC 5321 4.5.3.2.6): the reply after the final dot. */
    public static final Duration DEFAULT_DATA_DONE = Duration.ofMinutes(10);
    /** smtp_rset_timeout: RSET and QUIT (a pooled session's check, the end of a session). */
    public static final Duration DEFAULT_RSET = Duration.ofSeconds(20);

    public static final SessionDeadlines DEFAULTS = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Duration connect = DEFAULT_CONNECT;
        private Duration helo = DEFAULT_HELO;
        private Duration mail = DEFAULT_MAIL;
        private Duration rcpt = DEFAULT_RCPT;
        private Duration dataInit = DEFAULT_DATA_INIT;
        private Duration dataTransfer = DEFAULT_DATA_TRANSFER;
        private Duration dataDone = DEFAULT_DATA_DONE;
        private Duration rset = DEFAULT_RSET;

        private Builder() {
        }

        public Builder connect(Duration connect) {
            this.connect = positive(connect);
            return this;
        }

        /** Every reply deadline at once (the {@code read} attribute of {@code <timeouts>}). */
        public Builder replies(Duration reply) {
            return helo(reply).mail(reply).rcpt(reply).dataInit(reply).dataDone(reply).rset(reply);
        }

        public Builder helo(Duration helo) {
            this.helo = positive(helo);
            return this;
        }

        public Builder mail(Duration mail) {
            this.mail = positive(mail);
            return this;
        }

        public Builder rcpt(Duration rcpt) {
            this.rcpt = positive(rcpt);
            return this;
        }

        public Builder dataInit(Duration dataInit) {
            this.dataInit = positive(dataInit);
            return this;
        }

        public Builder dataTransfer(Duration dataTransfer) {
            this.dataTransfer = positive(dataTransfer);
            return this;
        }

        public Builder dataDone(Duration dataDone) {
            this.dataDone = positive(dataDone);
            return this;
        }

        public Builder rset(Duration rset) {
            this.rset = positive(rset);
            return this;
        }

        public SessionDeadlines build() {
            return new SessionDeadlines(this);
        }

        private static Duration positive(Duration duration) {
            Preconditions.checkArgument(!duration.isNegative() && !duration.isZero(), "a deadline must be more than zero: %s", duration);
            Preconditions.checkArgument(duration.toMillis() <= Integer.MAX_VALUE, "a deadline must fit in an int of milliseconds: %s", duration);
            return duration;
        }
    }

    private final Duration connect;
    private final Duration helo;
    private final Duration mail;
    private final Duration rcpt;
    private final Duration dataInit;
    private final Duration dataTransfer;
    private final Duration dataDone;
    private final Duration rset;

    private SessionDeadlines(Builder builder) {
        this.connect = builder.connect;
        this.helo = builder.helo;
        this.mail = builder.mail;
        this.rcpt = builder.rcpt;
        this.dataInit = builder.dataInit;
        this.dataTransfer = builder.dataTransfer;
        this.dataDone = builder.dataDone;
        this.rset = builder.rset;
    }

    public Builder toBuilder() {
        return builder().connect(connect).helo(helo).mail(mail).rcpt(rcpt).dataInit(dataInit)
            .dataTransfer(dataTransfer).dataDone(dataDone).rset(rset);
    }

    public Duration connect() {
        return connect;
    }

    public Duration helo() {
        return helo;
    }

    public Duration mail() {
        return mail;
    }

    public Duration rcpt() {
        return rcpt;
    }

    public Duration dataInit() {
        return dataInit;
    }

    public Duration dataTransfer() {
        return dataTransfer;
    }

    public Duration dataDone() {
        return dataDone;
    }

    public Duration rset() {
        return rset;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof SessionDeadlines) {
            SessionDeadlines that = (SessionDeadlines) o;
            return connect.equals(that.connect) && helo.equals(that.helo) && mail.equals(that.mail) && rcpt.equals(that.rcpt)
                && dataInit.equals(that.dataInit) && dataTransfer.equals(that.dataTransfer) && dataDone.equals(that.dataDone)
                && rset.equals(that.rset);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(connect, helo, mail, rcpt, dataInit, dataTransfer, dataDone, rset);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("connect", connect).add("helo", helo).add("mail", mail).add("rcpt", rcpt).add("dataInit", dataInit)
            .add("dataTransfer", dataTransfer).add("dataDone", dataDone).add("rset", rset)
            .toString();
    }
}
