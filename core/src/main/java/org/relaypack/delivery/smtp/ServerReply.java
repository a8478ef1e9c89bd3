package org.relaypack.delivery.smtp;

import java.util.List;
import java.util.Objects;


import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/** A complete (possibly multi-line) reply read from the server, RFC 5321 section 4.2. */
public final class ServerReply {
    static ServerReply of(int code, List<String> lines) {
        return new ServerReply(code, ImmutableList.copyOf(lines));
    }

    private final int code;
    private final ImmutableList<String> lines;

    private ServerReply(int code, ImmutableList<String> lines) {
        this.code = code;
        this.lines = lines;
    }

    public int code() {
        return code;
    }

    /** The text of every line, without the code and separator. */
    public ImmutableList<String> lines() {
        return lines;
    }

    public boolean isPositiveCompletion() {
        return code >= 200 && code < 300;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** 421: the server is closing the connection. */
    public boolean isServiceClosing() {
        return code == 421;
    }

    public SmtpReply asSmtpReply() {
        return SmtpReply.of(code, String.join(" / ", lines));
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ServerReply) {
            ServerReply that = (ServerReply) o;
            return code == that.code && lines.equals(that.lines);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, lines);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(asSmtpReply().asString()).toString();
    }
}
