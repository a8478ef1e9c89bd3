package org.relaypack.it.smarthost;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.relaypack.delivery.DeliveryEngine;

/** What James injected into the probe components, by component kind. */
final class EngineProbe {
    static final Map<String, DeliveryEngine> SEEN = new ConcurrentHashMap<>();

    private EngineProbe() {
    }
}
