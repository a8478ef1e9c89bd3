package org.relaypack.smtphooks;

import org.apache.commons.configuration2.ex.ConfigurationException;

/** Where a handler reads the listeners of smtpserver.xml from; a seam for unit tests. */
@FunctionalInterface
interface ListenersSource {
    SmtpListeners load() throws ConfigurationException;
}
