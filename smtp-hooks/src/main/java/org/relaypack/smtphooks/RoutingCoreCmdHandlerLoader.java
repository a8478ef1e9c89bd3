package org.relaypack.smtphooks;

import java.util.List;

import org.apache.james.protocols.lib.handler.HandlersPackage;
import org.apache.james.smtpserver.AuthRequiredToRelayRcptHook;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;

import com.google.common.collect.ImmutableList;

/**
 * James's core SMTP handlers, unchanged but for the relay rule: {@code AuthRequiredToRelayRcptHook}
 * is swapped for {@link RoutedDomainsRelayRcptHook}, which accepts the routed domains too. Required
 * by {@link RoutingRcptHook}:
 * {@code <handlerchain coreHandlersPackage="org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader">}.
 */
public class RoutingCoreCmdHandlerLoader implements HandlersPackage {
    private final List<String> handlers = new CoreCmdHandlerLoader().getHandlers().stream()
        .map(name -> name.equals(AuthRequiredToRelayRcptHook.class.getName()) ? RoutedDomainsRelayRcptHook.class.getName() : name)
        .collect(ImmutableList.toImmutableList());

    @Override
    public List<String> getHandlers() {
        return handlers;
    }
}
