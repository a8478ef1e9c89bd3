package org.relaypack.delivery;

import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.relaypack.config.ConfigElement;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * What to do with recipients that cannot be delivered. Either bounce: the mail, carrying exactly
 * the failed recipients and the failure reply, goes to a processor where the operator runs James's
 * DSNBounce; no bounce for the null sender nor for recipients whose DSN NOTIFY excludes FAILURE.
 * Or error: the mail goes as it is to an error processor, whatever its sender and NOTIFY.
 *
 * The policy travels with the queued mail as an attribute, so that whichever node dequeues it
 * knows what the mailet that queued it wanted.
 */
public final class FailurePolicy {
    public static final String DEFAULT_BOUNCE_PROCESSOR = "bounces";
    public static final String BOUNCE_PROCESSOR = "bounceProcessor";
    public static final String ERROR_PROCESSOR = "errorProcessor";

    public enum Mode {
        BOUNCE,
        ERROR
    }

    public static FailurePolicy bounceTo(String processor) {
        Preconditions.checkArgument(!processor.isBlank(), "empty processor name");
        return new FailurePolicy(Mode.BOUNCE, processor);
    }

    public static FailurePolicy errorTo(String processor) {
        Preconditions.checkArgument(!processor.isBlank(), "empty processor name");
        return new FailurePolicy(Mode.ERROR, processor);
    }

    /** The {@code bounceProcessor} or {@code errorProcessor} parameter of a mailet (at most one of them); a bounce to "bounces" by default. */
    public static FailurePolicy from(ConfigElement parameters) throws ConfigurationException {
        Optional<String> bounceProcessor = parameters.value(BOUNCE_PROCESSOR);
        Optional<String> errorProcessor = parameters.value(ERROR_PROCESSOR);
        if (bounceProcessor.isPresent() && errorProcessor.isPresent()) {
            throw parameters.error(String.format("give %s ('%s') or %s ('%s'), not both",
                BOUNCE_PROCESSOR, bounceProcessor.get(), ERROR_PROCESSOR, errorProcessor.get()));
        }
        return errorProcessor.map(FailurePolicy::errorTo)
            .orElse(bounceTo(bounceProcessor.orElse(DEFAULT_BOUNCE_PROCESSOR)));
    }

    public static FailurePolicy defaults() {
        return bounceTo(DEFAULT_BOUNCE_PROCESSOR);
    }

    /** The policy a queued mail carries; the default bounce when it carries none. */
    public static FailurePolicy of(Mail mail) {
        Optional<String> error = stringAttribute(mail, DeliveryAttributes.ERROR_PROCESSOR);
        if (error.isPresent()) {
            return errorTo(error.get());
        }
        return stringAttribute(mail, DeliveryAttributes.BOUNCE_PROCESSOR).map(FailurePolicy::bounceTo).orElse(defaults());
    }

    private static Optional<String> stringAttribute(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(String.class::isInstance)
            .map(String.class::cast);
    }

    private final Mode mode;
    private final String processor;

    private FailurePolicy(Mode mode, String processor) {
        this.mode = mode;
        this.processor = processor;
    }

    public Mode mode() {
        return mode;
    }

    public String processor() {
        return processor;
    }

    /** Writes the policy on the mail, replacing any other. */
    public void writeTo(Mail mail) {
        mail.removeAttribute(DeliveryAttributes.BOUNCE_PROCESSOR);
        mail.removeAttribute(DeliveryAttributes.ERROR_PROCESSOR);
        mail.setAttribute(new Attribute(mode == Mode.BOUNCE ? DeliveryAttributes.BOUNCE_PROCESSOR : DeliveryAttributes.ERROR_PROCESSOR,
            AttributeValue.of(processor)));
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof FailurePolicy) {
            FailurePolicy that = (FailurePolicy) o;
            return mode == that.mode && processor.equals(that.processor);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, processor);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("mode", mode).add("processor", processor).toString();
    }
}
