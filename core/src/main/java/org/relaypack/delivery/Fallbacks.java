package org.relaypack.delivery;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;

/** Checks the {@code fallback} chains of {@code <nexthops>}: every name defined, no loop. */
final class Fallbacks {
    private Fallbacks() {
    }

    static void check(ConfigElement section, Map<String, NextHop> hops) throws ConfigurationException {
        for (ConfigElement element : section.children(NextHopElement.NEXTHOP)) {
            String name = element.required(NextHopElement.NAME);
            Set<String> seen = new HashSet<>();
            seen.add(name);
            Optional<String> next = hops.get(name).scheduling().fallback();
            while (next.isPresent()) {
                if (!hops.containsKey(next.get())) {
                    throw element.error(NextHopElement.FALLBACK, next.get(), "names no <nexthop> (defined: "
                        + String.join(", ", hops.keySet()) + ")");
                }
                if (!seen.add(next.get())) {
                    throw element.error(NextHopElement.FALLBACK, hops.get(name).scheduling().fallback().get(), "makes a loop of fallbacks through " + next.get());
                }
                next = hops.get(next.get()).scheduling().fallback();
            }
        }
    }
}
