package org.relaypack.matchers;

import java.util.Collection;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;
import org.relaypack.tls.TlsFacts;

/** Base of the matchers over the {@link TlsFacts} attributes: all recipients or none. */
abstract class TlsFactsMatcher extends GenericMatcher {

    @Override
    public final Collection<MailAddress> match(Mail mail) {
        if (matches(mail)) {
            return mail.getRecipients();
        }
        return ImmutableList.of();
    }

    abstract boolean matches(Mail mail);

    static <T> Optional<T> fact(Mail mail, AttributeName name, Class<T> type) {
        return AttributeUtils.getValueAndCastFromMail(mail, name, type);
    }

    /** The name errors use: the simple class name, whatever package prefix the XML spelt. */
    String name() {
        return getClass().getSimpleName();
    }

    /** The matcher's condition, which it requires. */
    String requiredCondition(String example) throws MessagingException {
        String condition = Optional.ofNullable(getCondition()).map(String::trim).orElse("");
        if (condition.isEmpty()) {
            throw new MessagingException(name() + ": a condition is required, e.g. " + name() + "=" + example);
        }
        return condition;
    }

    void requireNoCondition() throws MessagingException {
        String condition = Optional.ofNullable(getCondition()).map(String::trim).orElse("");
        if (!condition.isEmpty()) {
            throw new MessagingException(name() + " takes no condition, got '" + condition + "'");
        }
    }

    MessagingException invalidCondition(String condition, String why) {
        return new MessagingException(name() + ": invalid condition '" + condition + "': " + why);
    }
}
