package org.relaypack.smtphooks;

import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;

/**
 * James's core SMTP handlers, unchanged but for the Received header: {@link ReceivedDataLineFilter}
 * is swapped for {@link TlsReceivedDataLineFilter}. Used as
 * {@code <handlerchain coreHandlersPackage="org.relaypack.smtphooks.TlsAwareCoreCmdHandlerLoader">}.
 */
public class TlsAwareCoreCmdHandlerLoader extends CoreHandlersWithOneSwapped {
    public TlsAwareCoreCmdHandlerLoader() {
        super(ReceivedDataLineFilter.class, TlsReceivedDataLineFilter.class);
    }
}
