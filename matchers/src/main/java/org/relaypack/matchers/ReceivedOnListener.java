package org.relaypack.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableSet;
import org.relaypack.tls.TlsFacts;

/**
 * Matches mail received by one of the named smtpserver.xml listeners, by their {@code <jmxName>}
 * ({@code relaypack.tls.listener}), e.g. {@code ReceivedOnListener=submissions,submission}.
 */
public class ReceivedOnListener extends TlsFactsMatcher {
    private ImmutableSet<String> listeners;

    @Override
    public void init() throws MessagingException {
        String condition = requiredCondition("submissions,submission");
        listeners = Splitter.on(',').trimResults().splitToStream(condition)
            .collect(ImmutableSet.toImmutableSet());
        if (listeners.contains("")) {
            throw invalidCondition(condition, "empty listener name");
        }
    }

    @Override
    boolean matches(Mail mail) {
        return fact(mail, TlsFacts.LISTENER, String.class).map(listeners::contains).orElse(false);
    }
}
