package org.relaypack.testing;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/** Mail addresses for tests, where a malformed literal is the test's own bug. */
public final class Addresses {
    public static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (AddressException e) {
            throw new IllegalArgumentException(value, e);
        }
    }

    private Addresses() {
    }
}
