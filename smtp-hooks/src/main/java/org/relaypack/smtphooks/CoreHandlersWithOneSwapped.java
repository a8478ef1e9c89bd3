package org.relaypack.smtphooks;

import java.util.List;

import org.apache.james.protocols.lib.handler.HandlersPackage;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;

import com.google.common.collect.ImmutableList;

/**
 * James's core SMTP handlers ({@link CoreCmdHandlerLoader}), unchanged but for one handler swapped
 * for the pack's, in its place in the chain. A subclass is named in
 * {@code <handlerchain coreHandlersPackage="...">}.
 */
abstract class CoreHandlersWithOneSwapped implements HandlersPackage {
    private final List<String> handlers;

    CoreHandlersWithOneSwapped(Class<?> jamesHandler, Class<?> packHandler) {
        this.handlers = new CoreCmdHandlerLoader().getHandlers().stream()
            .map(name -> name.equals(jamesHandler.getName()) ? packHandler.getName() : name)
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public List<String> getHandlers() {
        return handlers;
    }
}
