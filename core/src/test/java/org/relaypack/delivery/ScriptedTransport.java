package org.relaypack.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.collect.ImmutableList;

/**
 * A {@link HopTransport} for unit tests: answers each attempt at a hop with the next scripted answer
 * (then delivers everything), and records every attempt.
 */
public final class ScriptedTransport implements HopTransport {
    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0 Ok: queued");
    public static final SmtpReply GREYLISTED = SmtpReply.of(451, "4.7.1 Greylisted, try again later");
    public static final SmtpReply UNKNOWN_USER = SmtpReply.of(550, "5.1.1 User unknown");

    /** One recorded attempt. */
    public static final class Attempt {
        private final String hop;
        private final String mailName;
        private final ImmutableList<MailAddress> recipients;

        Attempt(String hop, String mailName, ImmutableList<MailAddress> recipients) {
            this.hop = hop;
            this.mailName = mailName;
            this.recipients = recipients;
        }

        public String hop() {
            return hop;
        }

        public String mailName() {
            return mailName;
        }

        public List<MailAddress> recipients() {
            return recipients;
        }

        @Override
        public String toString() {
            return hop + " " + mailName + " " + recipients;
        }
    }

    public static Function<MailAddress, RecipientOutcome> deliverAll() {
        return recipient -> RecipientOutcome.delivered(recipient, OK);
    }

    public static Function<MailAddress, RecipientOutcome> failAllTemporarily() {
        return recipient -> RecipientOutcome.temporaryFailure(recipient, GREYLISTED);
    }

    /** The given recipients get the reply (its code decides the status), the others are delivered. */
    public static Function<MailAddress, RecipientOutcome> replying(SmtpReply reply, MailAddress... recipients) {
        List<MailAddress> targets = List.of(recipients);
        return recipient -> {
            if (!targets.contains(recipient)) {
                return RecipientOutcome.delivered(recipient, OK);
            }
            return reply.isPermanent() ? RecipientOutcome.permanentFailure(recipient, reply) : RecipientOutcome.temporaryFailure(recipient, reply);
        };
    }

    private final Map<String, Deque<Function<MailAddress, RecipientOutcome>>> scripts = new HashMap<>();
    private final Map<String, Function<MailAddress, RecipientOutcome>> always = new HashMap<>();
    private final List<Attempt> attempts = new ArrayList<>();
    private boolean closed;

    /** Queues an answer for the next attempt at the hop. */
    public synchronized ScriptedTransport then(String hop, Function<MailAddress, RecipientOutcome> answer) {
        scripts.computeIfAbsent(hop, any -> new ArrayDeque<>()).add(answer);
        return this;
    }

    /** Answers every attempt at the hop (after the queued ones). */
    public synchronized ScriptedTransport always(String hop, Function<MailAddress, RecipientOutcome> answer) {
        always.put(hop, answer);
        return this;
    }

    @Override
    public synchronized DeliveryResult deliver(NextHop hop, Mail mail) {
        attempts.add(new Attempt(hop.name(), mail.getName(), ImmutableList.copyOf(mail.getRecipients())));
        Deque<Function<MailAddress, RecipientOutcome>> script = scripts.getOrDefault(hop.name(), new ArrayDeque<>());
        Function<MailAddress, RecipientOutcome> answer = Optional.ofNullable(script.poll())
            .orElse(always.getOrDefault(hop.name(), deliverAll()));
        return DeliveryResult.of(mail.getRecipients().stream().map(answer).collect(ImmutableList.toImmutableList()),
            Optional.of(hop.name() + ".example:25"), Optional.of("TLSv1.3"), Optional.of("TLS_AES_128_GCM_SHA256"));
    }

    public synchronized ImmutableList<Attempt> attempts() {
        return ImmutableList.copyOf(attempts);
    }

    public synchronized ImmutableList<Attempt> attemptsAt(String hop) {
        return attempts.stream().filter(attempt -> attempt.hop().equals(hop)).collect(ImmutableList.toImmutableList());
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
