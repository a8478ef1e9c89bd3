package org.relaypack.routing;

import static org.relaypack.testing.Addresses.address;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

/** The cast of the routing tests: users of example.com, the routed domain, and one address outside it. */
public final class ExampleUsers {
    public static final Domain DOMAIN = Domain.of("example.com");
    public static final MailAddress ALICE = address("alice@example.com");
    public static final MailAddress BOB = address("bob@example.com");
    public static final MailAddress CAROL = address("carol@example.com");
    /** A user of example.com whom no route source knows. */
    public static final MailAddress MALLORY = address("mallory@example.com");
    public static final MailAddress OUTSIDER = address("dave@other.org");

    private ExampleUsers() {
    }
}
