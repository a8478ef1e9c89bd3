package org.relaypack.smtphooks;

import org.apache.james.smtpserver.AuthRequiredToRelayRcptHook;

/**
 * James's core SMTP handlers, unchanged but for the relay rule: {@code AuthRequiredToRelayRcptHook}
 * is swapped for {@link RoutedDomainsRelayRcptHook}, which accepts the routed domains too. Required
 * by {@link RoutingRcptHook}:
 * {@code <handlerchain coreHandlersPackage="org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader">}.
 */
public class RoutingCoreCmdHandlerLoader extends CoreHandlersWithOneSwapped {
    public RoutingCoreCmdHandlerLoader() {
        super(AuthRequiredToRelayRcptHook.class, RoutedDomainsRelayRcptHook.class);
    }
}
