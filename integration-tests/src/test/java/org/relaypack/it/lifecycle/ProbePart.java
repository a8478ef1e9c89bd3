package org.relaypack.it.lifecycle;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.annotation.PreDestroy;

/** A shared part bound by {@link ProbeModule}: records what James does with it. */
public class ProbePart {
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static final List<ProbePart> SEEN = new CopyOnWriteArrayList<>();

    public ProbePart() {
        EVENTS.add("created");
    }

    void start() {
        EVENTS.add("started");
    }

    @PreDestroy
    public void close() {
        EVENTS.add("closed");
    }
}
