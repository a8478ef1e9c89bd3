package org.relaypack.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableSet;
import org.relaypack.tls.TlsFacts;

/**
 * Matches mail received on one of the given local ports ({@code relaypack.tls.localPort}),
 * e.g. {@code ReceivedOnPort=465,587}. Behind NAT or a proxy this is James's own port, not the one
 * the client dialled; {@link ReceivedOnListener} does not depend on port numbers.
 */
public class ReceivedOnPort extends TlsFactsMatcher {
    private ImmutableSet<Integer> ports;

    @Override
    public void init() throws MessagingException {
        String condition = requiredCondition("465,587");
        ImmutableSet.Builder<Integer> parsed = ImmutableSet.builder();
        for (String port : Splitter.on(',').trimResults().split(condition)) {
            try {
                int value = Integer.parseInt(port);
                if (value < 1 || value > 65535) {
                    throw invalidCondition(condition, "port " + value + " out of range 1..65535");
                }
                parsed.add(value);
            } catch (NumberFormatException e) {
                throw invalidCondition(condition, "'" + port + "' is not a port number");
            }
        }
        ports = parsed.build();
    }

    @Override
    boolean matches(Mail mail) {
        return fact(mail, TlsFacts.LOCAL_PORT, Integer.class).map(ports::contains).orElse(false);
    }
}
