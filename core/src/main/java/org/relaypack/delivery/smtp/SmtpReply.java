package org.relaypack.delivery.smtp;

import java.util.Objects;

import com.google.common.base.MoreObjects;

/** A reply of the next hop, or a locally made one for a failure that had no reply (code 0 never used). */
public final class SmtpReply {
    public static SmtpReply of(int code, String text) {
        return new SmtpReply(code, text);
    }

    private final int code;
    private final String text;

    private SmtpReply(int code, String text) {
        this.code = code;
        this.text = Objects.requireNonNull(text);
    }

    public int code() {
        return code;
    }

    /** The reply text, enhanced status code included when the server sent one. */
    public String text() {
        return text;
    }

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    public String asString() {
        return code + " " + text;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof SmtpReply) {
            SmtpReply that = (SmtpReply) o;
            return code == that.code && text.equals(that.text);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, text);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(asString()).toString();
    }
}
