package org.relaypack.it.lifecycle;

import javax.inject.Inject;

import org.apache.james.utils.UserDefinedStartable;

/** Installed through extensions.properties guice.extension.startable. */
public class ProbeStartable implements UserDefinedStartable {
    private final ProbePart part;

    @Inject
    public ProbeStartable(ProbePart part) {
        this.part = part;
    }

    @Override
    public void start() {
        ProbePart.SEEN.add(part);
        part.start();
    }
}
