package org.relaypack.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The scripted peers of one test, closed after it:
 * {@code @RegisterExtension final ScriptedSmtpPeers peers = new ScriptedSmtpPeers();} then
 * {@code peers.start(ScriptedSmtpPeer.builder()...)}.
 */
public final class ScriptedSmtpPeers implements AfterEachCallback {
    private final List<ScriptedSmtpPeer> started = new CopyOnWriteArrayList<>();

    public ScriptedSmtpPeer start(ScriptedSmtpPeer.Builder builder) {
        ScriptedSmtpPeer peer = builder.start();
        started.add(peer);
        return peer;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (ScriptedSmtpPeer peer : started) {
            peer.close();
        }
        started.clear();
    }
}
