package org.relaypack.matchers;

import java.util.Collection;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.relaypack.delivery.HopName;
import org.relaypack.routing.RouteDirectory;

/**
 * {@code RoutedTo=server1} matches the recipients the route directory sends to the next hop
 * {@code server1}. The condition (one next hop name) is required. A directory failure throws
 * {@link MessagingException}: James's {@code onMatchException} handling then keeps the mail.
 */
public class RoutedTo extends GenericMatcher {
    private final RouteDirectory directory;
    private Optional<String> hop = Optional.empty();

    @Inject
    public RoutedTo(RouteDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void init() throws MessagingException {
        String condition = Optional.ofNullable(getCondition()).map(String::trim).orElse("");
        if (condition.isEmpty()) {
            throw new MessagingException(getMatcherName() + " needs a next hop name as condition (RoutedTo=server1)");
        }
        if (!HopName.isValid(condition)) {
            throw new MessagingException(getMatcherName() + ": condition '" + condition + "' is not a next hop name (" + HopName.SYNTAX + ")");
        }
        if (!directory.knownHops().contains(condition)) {
            throw new MessagingException(getMatcherName() + ": condition '" + condition + "': " + directory.knownHops().unknown(condition));
        }
        hop = Optional.of(condition);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        String expected = hop.orElseThrow(() -> new MessagingException(getMatcherName() + " was not initialized"));
        return RouteMatching.matching(getMatcherName(), directory, mail, route -> route.hop().equals(expected));
    }

    @Override
    public String getMatcherInfo() {
        return "Recipients routed to the given next hop";
    }
}
