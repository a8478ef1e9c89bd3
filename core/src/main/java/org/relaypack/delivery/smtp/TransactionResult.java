package org.relaypack.delivery.smtp;

import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableMap;

/**
 * What one transaction settled: the final reply for some recipients (2xx delivered, 4xx
 * temporary, 5xx permanent) and, when the transaction was cut short (421, 4xx to MAIL, lost
 * connection), the reason; the recipients without a final reply then go to the next host.
 */
public final class TransactionResult {
    static TransactionResult completed(Map<MailAddress, SmtpReply> finalReplies, boolean sessionReusable) {
        return new TransactionResult(ImmutableMap.copyOf(finalReplies), Optional.empty(), sessionReusable, false);
    }

    static TransactionResult interrupted(Map<MailAddress, SmtpReply> finalReplies, SmtpReply reason) {
        return new TransactionResult(ImmutableMap.copyOf(finalReplies), Optional.of(reason), false, false);
    }

    /** The pooled session failed its RSET: nothing of the transaction took place; run it on another session. */
    static TransactionResult staleSession(SmtpReply reason) {
        return new TransactionResult(ImmutableMap.of(), Optional.of(reason), false, true);
    }

    private final ImmutableMap<MailAddress, SmtpReply> finalReplies;
    private final Optional<SmtpReply> interruption;
    private final boolean sessionReusable;
    private final boolean staleSession;

    private TransactionResult(ImmutableMap<MailAddress, SmtpReply> finalReplies, Optional<SmtpReply> interruption, boolean sessionReusable,
                              boolean staleSession) {
        this.finalReplies = finalReplies;
        this.interruption = interruption;
        this.sessionReusable = sessionReusable;
        this.staleSession = staleSession;
    }

    /** True when the session, taken from the pool, turned out to be closed before the transaction began. */
    public boolean staleSession() {
        return staleSession;
    }

    public ImmutableMap<MailAddress, SmtpReply> finalReplies() {
        return finalReplies;
    }

    public Optional<SmtpReply> interruption() {
        return interruption;
    }

    public boolean sessionReusable() {
        return sessionReusable;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("finalReplies", finalReplies)
            .add("interruption", interruption)
            .add("sessionReusable", sessionReusable)
            .add("staleSession", staleSession)
            .toString();
    }
}
