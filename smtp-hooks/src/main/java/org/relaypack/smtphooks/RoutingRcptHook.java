package org.relaypack.smtphooks;

import java.util.List;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.handler.ExtensibleHandler;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.AuthRequiredToRelayRcptHook;
import org.relaypack.config.ConfigElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.RouteLookup;

/**
 * RCPT-time validation for the routed domains of the inbound relay ({@code <routing><domains>}):
 * an unknown recipient is refused with {@code 550 5.1.1} (no backscatter later), and a directory
 * that cannot answer gives {@code 451 4.3.0} so that the sender retries. A recipient with a route
 * is left to the RCPT hooks after this one (DECLINED: a DNSBL, greylisting or MaxRcpt handler
 * placed later still runs); James's relay rule then accepts it because the chain's core handlers
 * are {@link RoutingCoreCmdHandlerLoader}, whose {@link RoutedDomainsRelayRcptHook} counts the routed
 * domains as local. Without that core package James stops at startup saying which attribute to
 * set. Other domains are none of its business: James's relay rules apply to them unchanged.
 */
public class RoutingRcptHook implements RcptHook, ExtensibleHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(RoutingRcptHook.class);

    private final RouteDirectory directory;

    @Inject
    public RoutingRcptHook(RouteDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        try {
            ConfigElement.ofHandler(getClass().getName(), config).checkAllowed(ImmutableSet.of(), ImmutableSet.of());
        } catch (ConfigurationException e) {
            throw new ConfigurationException(e.getMessage() + "; routing is configured in relaypack.xml <routing>", e);
        }
    }

    @Override
    public List<Class<?>> getMarkerInterfaces() {
        return ImmutableList.of(RcptHook.class);
    }

    /** Called by James once the handler chain is built: refuses a chain whose relay rule would deny the routed domains. */
    @Override
    public void wireExtensions(Class<?> interfaceName, List<?> extensions) throws WiringException {
        boolean routedRelay = extensions.stream().anyMatch(RoutedDomainsRelayRcptHook.class::isInstance);
        boolean stockRelay = extensions.stream().anyMatch(AuthRequiredToRelayRcptHook.class::isInstance);
        if (!routedRelay || stockRelay) {
            throw new WiringException(getClass().getName() + " needs coreHandlersPackage=\"" + RoutingCoreCmdHandlerLoader.class.getName()
                + "\" on its <handlerchain> in smtpserver.xml: with James's stock core handlers, AuthRequiredToRelayRcptHook would refuse"
                + " relaying to the routed domains " + directory.routedDomains());
        }
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (!directory.isRoutedDomain(rcpt.getDomain())) {
            return HookResult.DECLINED;
        }
        RouteLookup lookup = directory.lookup(rcpt);
        switch (lookup.status()) {
            case FOUND:
                LOGGER.debug("RCPT {} has route {}: left to the next RCPT hooks", rcpt.asString(), lookup.route().orElseThrow());
                return HookResult.DECLINED;
            case NO_ROUTE:
                LOGGER.info("RCPT {} refused: no route (unknown recipient)", rcpt.asString());
                return HookResult.builder()
                    .hookReturnCode(HookReturnCode.deny())
                    .smtpReturnCode(SMTPRetCode.MAILBOX_PERM_UNAVAILABLE)
                    .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_MAILBOX) + " <" + rcpt.asString()
                        + ">: Recipient address rejected: User unknown")
                    .build();
            default:
                LOGGER.warn("RCPT {} deferred: route directory failure: {}", rcpt.asString(), lookup.failureReason().orElse(""));
                return HookResult.builder()
                    .hookReturnCode(HookReturnCode.denySoft())
                    .smtpReturnCode(SMTPRetCode.LOCAL_ERROR)
                    .smtpDescription(DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SYSTEM_OTHER) + " <" + rcpt.asString()
                        + ">: Temporary failure of the routing directory, try again later")
                    .build();
        }
    }
}
