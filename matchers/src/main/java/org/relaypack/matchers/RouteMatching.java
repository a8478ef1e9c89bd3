package org.relaypack.matchers;

import java.util.Collection;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;
import org.relaypack.routing.Route;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.RouteLookup;

/** The shared part of the routing matchers: ask the directory per recipient, never guess on failure. */
final class RouteMatching {
    private RouteMatching() {
    }

    /**
     * @throws MessagingException when the directory fails for a recipient, so that James's error
     *                            handling keeps the mail instead of routing it wrongly
     */
    static Collection<MailAddress> matching(String matcherName, RouteDirectory directory, Mail mail, Predicate<Route> routeFilter)
        throws MessagingException {
        ImmutableList.Builder<MailAddress> matched = ImmutableList.builder();
        for (MailAddress recipient : mail.getRecipients()) {
            RouteLookup lookup = directory.lookup(recipient);
            if (lookup.isTemporaryFailure()) {
                throw new MessagingException(matcherName + ": route directory failure for " + recipient.asString() + " of mail "
                    + mail.getName() + ": " + lookup.failureReason().orElse(""));
            }
            if (lookup.route().filter(routeFilter).isPresent()) {
                matched.add(recipient);
            }
        }
        return matched.build();
    }
}
