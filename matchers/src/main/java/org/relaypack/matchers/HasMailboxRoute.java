package org.relaypack.matchers;

import java.util.Collection;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.base.Strings;
import org.relaypack.routing.RouteDirectory;

/**
 * Matches the recipients that have a mailbox-server route in the route directory
 * ({@code relaypack.xml <routing>}). Takes no condition. A directory failure throws
 * {@link MessagingException}: James's {@code onMatchException} handling then keeps the mail.
 * <pre>
 * &lt;mailet match="org.relaypack.matchers.HasMailboxRoute" class="ToProcessor"&gt;
 *     &lt;processor&gt;mailbox-routing&lt;/processor&gt;
 * &lt;/mailet&gt;
 * </pre>
 */
public class HasMailboxRoute extends GenericMatcher {
    private final RouteDirectory directory;

    @Inject
    public HasMailboxRoute(RouteDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void init() throws MessagingException {
        if (!Strings.isNullOrEmpty(getCondition())) {
            throw new MessagingException(getMatcherName() + " takes no condition, got '" + getCondition() + "'");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        return RouteMatching.matching(getMatcherName(), directory, mail, route -> true);
    }

    @Override
    public String getMatcherInfo() {
        return "Recipients with a mailbox-server route";
    }
}
