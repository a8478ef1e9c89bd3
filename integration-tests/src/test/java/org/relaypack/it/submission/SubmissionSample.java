package org.relaypack.it.submission;

import java.util.function.UnaryOperator;

import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;

/**
 * conf-samples/submission on a real James for a test class (its static {@code @RegisterExtension} field),
 * with the changes the class makes to the sample and {@link ProviderRelay} as the upstream provider:
 * alice (alias ali) and bob are users; the upstream forgets its transactions before each test.
 */
final class SubmissionSample implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    static final String ALICE = "alice@example.org";
    static final String ALICE_ALIAS = "ali@example.org";
    static final String BOB = "bob@example.org";
    static final String PASSWORD = "alice-secret";
    static final String REMOTE = "carol@remote.example";

    private final UnaryOperator<RelayJames.Builder> changes;
    private ProviderRelay provider;
    private RelayJames james;

    static SubmissionSample changedBy(UnaryOperator<RelayJames.Builder> changes) {
        return new SubmissionSample(changes);
    }

    private SubmissionSample(UnaryOperator<RelayJames.Builder> changes) {
        this.changes = changes;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (inherited(context)) {
            return;
        }
        provider = ProviderRelay.start();
        james = changes.apply(provider.applyTo(RelayJames.sample("submission"))).start();
        james.data().addUser(ALICE, PASSWORD).addUser(BOB, "bob-secret");
        james.server().getProbe(DataProbeImpl.class).addUserAliasMapping("ali", "example.org", ALICE);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        upstream().clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (inherited(context)) {
            return;
        }
        if (james != null) {
            james.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    /** A @Nested class inherits the extension: the James is the enclosing class's. */
    private static boolean inherited(ExtensionContext context) {
        return context.getRequiredTestClass().isAnnotationPresent(Nested.class);
    }

    /** The port James listens on for the sample's port. */
    int port(int samplePort) {
        return james.port(samplePort);
    }

    SmtpPeer upstream() {
        return provider.peer();
    }
}
