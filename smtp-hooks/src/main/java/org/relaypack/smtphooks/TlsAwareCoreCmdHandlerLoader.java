package org.relaypack.smtphooks;

import java.util.List;

import org.apache.james.protocols.lib.handler.HandlersPackage;
import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;

import com.google.common.collect.ImmutableList;

/**
 * James's core SMTP handlers, unchanged but for the Received header: {@link ReceivedDataLineFilter}
 * is swapped for {@link TlsReceivedDataLineFilter}. Used as
 * {@code <handlerchain coreHandlersPackage="org.relaypack.smtphooks.TlsAwareCoreCmdHandlerLoader">}.
 */
public class TlsAwareCoreCmdHandlerLoader implements HandlersPackage {
    private final List<String> handlers = new CoreCmdHandlerLoader().getHandlers().stream()
        .map(name -> name.equals(ReceivedDataLineFilter.class.getName()) ? TlsReceivedDataLineFilter.class.getName() : name)
        .collect(ImmutableList.toImmutableList());

    @Override
    public List<String> getHandlers() {
        return handlers;
    }
}
