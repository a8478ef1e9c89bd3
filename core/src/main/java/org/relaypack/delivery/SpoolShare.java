package org.relaypack.delivery;

import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How many inline first attempts all hops may run at once: fewer than James's spool threads. */
public final class SpoolShare {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpoolShare.class);
    /** James's mailet spooler runs this many threads when mailetcontainer.xml does not say ({@code JamesMailSpooler}). */
    static final int JAMES_DEFAULT_SPOOL_THREADS = 100;

    /** One less than the spool's threads, so that one is always left to the rest of the spool. */
    static int of(int spoolThreads) {
        return Math.max(0, spoolThreads - 1);
    }

    /** The spool's threads as James reads them: {@code <spooler><threads>} of mailetcontainer.xml, else James's default. */
    public static int spoolThreads(ConfigurationProvider configurationProvider) {
        try {
            return configurationProvider.getConfiguration("mailetcontainer").configurationAt("spooler")
                .getInt("threads", JAMES_DEFAULT_SPOOL_THREADS);
        } catch (Exception e) {
            LOGGER.debug("No <spooler> in mailetcontainer.xml: James runs {} spool threads", JAMES_DEFAULT_SPOOL_THREADS, e);
            return JAMES_DEFAULT_SPOOL_THREADS;
        }
    }

    private SpoolShare() {
    }
}
