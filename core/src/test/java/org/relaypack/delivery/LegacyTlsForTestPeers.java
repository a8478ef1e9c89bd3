package org.relaypack.delivery;

import java.security.Security;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Lets this test JVM speak TLSv1 and TLSv1.1, before any TLS class reads the JDK's
 * disabled-algorithms list (it is read once per JVM): the test of the TLSv1.2 floor needs a
 * TLSv1.1-only peer that a client could actually reach, so that the refusal can only come from
 * relaypack's own floor; opportunistic TLS is tested against a TLSv1-only peer.
 */
public class LegacyTlsForTestPeers implements LauncherSessionListener {
    private static final String DISABLED_ALGORITHMS = "jdk.tls.disabledAlgorithms";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String disabled = Security.getProperty(DISABLED_ALGORITHMS);
        if (disabled != null) {
            Security.setProperty(DISABLED_ALGORITHMS, Arrays.stream(disabled.split(","))
                .map(String::trim)
                .filter(entry -> !entry.equals("TLSv1.1") && !entry.equals("TLSv1"))
                .collect(Collectors.joining(", ")));
        }
    }
}
