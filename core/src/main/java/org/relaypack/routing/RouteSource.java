package org.relaypack.routing;

import org.apache.james.core.MailAddress;

/**
 * One place routes come from (a file, LDAP, James's recipient rewrite table, a hash placement).
 * Implementations never throw for an unavailable backend: they answer
 * {@link RouteLookup#temporaryFailure(String)}.
 */
public interface RouteSource {
    RouteLookup lookup(MailAddress recipient);

    /** A short name for logs and the WebAdmin lookup answer: {@code file}, {@code ldap}, ... */
    String name();
}
