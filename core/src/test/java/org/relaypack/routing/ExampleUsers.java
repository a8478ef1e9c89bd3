package org.relaypack.routing;

import static org.relaypack.testing.Addresses.address;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

/** The cast of the routing tests: users of example.com, the routed domain, one address outside it, and their routes. */
public final class ExampleUsers {
    public static final Domain DOMAIN = Domain.of("example.com");
    public static final MailAddress ALICE = address("alice@example.com");
    public static final MailAddress BOB = address("bob@example.com");
    public static final MailAddress CAROL = address("carol@example.com");
    /** A user of example.com whom no route source knows. */
    public static final MailAddress MALLORY = address("mallory@example.com");
    public static final MailAddress OUTSIDER = address("dave@other.org");
    public static final MailAddress CAROL_MAILBOX = address("carol@mbox2.example.com");

    /** alice and bob on server1, carol on server2 as carol@mbox2.example.com, everyone else unknown; fails on demand. */
    public static SwitchableRouteSource routes() {
        return SwitchableRouteSource.named("test")
            .route(ALICE, Route.to("server1"))
            .route(BOB, Route.to("server1"))
            .route(CAROL, Route.to("server2", CAROL_MAILBOX));
    }

    private ExampleUsers() {
    }
}
