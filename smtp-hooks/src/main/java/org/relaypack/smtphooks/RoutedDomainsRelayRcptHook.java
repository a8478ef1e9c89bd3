package org.relaypack.smtphooks;

import javax.inject.Inject;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.core.AbstractAuthRequiredToRelayRcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.relaypack.routing.RouteDirectory;

/**
 * James's relay rule ({@code AuthRequiredToRelayRcptHook}: a client that may not relay may only send
 * to local domains) with the routed domains of relaypack.xml {@code <routing>} counted as local.
 * It takes the stock hook's place in {@link RoutingCoreCmdHandlerLoader}, so that
 * {@link RoutingRcptHook} can leave a known recipient to the RCPT hooks after it (DECLINED) and
 * the relay to a routed domain is still accepted, without making that domain a James local domain.
 */
public class RoutedDomainsRelayRcptHook extends AbstractAuthRequiredToRelayRcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RoutedDomainsRelayRcptHook.class);

    private final DomainList domains;
    private final RouteDirectory directory;

    @Inject
    public RoutedDomainsRelayRcptHook(DomainList domains, RouteDirectory directory) {
        this.domains = domains;
        this.directory = directory;
    }

    @Override
    protected boolean isLocalDomain(Domain domain) {
        if (directory.isRoutedDomain(domain)) {
            return true;
        }
        try {
            return domains.containsDomain(domain);
        } catch (DomainListException e) {
            LOGGER.warn("James's domain list failed for {}: treated as not local", domain.asString(), e);
            return false;
        }
    }
}
