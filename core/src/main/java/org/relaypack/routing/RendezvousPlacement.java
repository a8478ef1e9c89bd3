package org.relaypack.routing;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.HopName;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * Deterministic placement over a pool of next hops by rendezvous (highest random weight) hashing:
 * each address goes to the hop with the highest hash of (hop, address). Every relay node computes the
 * same answer without shared state, and adding an N-th hop moves only about 1/N of the addresses,
 * all of them to the new hop. It answers a route for every address it is asked about, so put it last
 * and remember that it cannot tell an unknown user from a known one.
 */
public class RendezvousPlacement implements RouteSource {
    public static final String NAME = "placement";
    private static final HashFunction HASH = Hashing.murmur3_128();

    private final ImmutableList<String> hops;

    public RendezvousPlacement(List<String> hops) {
        Preconditions.checkArgument(!hops.isEmpty(), "a placement pool needs at least one next hop");
        Preconditions.checkArgument(hops.stream().distinct().count() == hops.size(), "duplicate next hop in placement pool %s", hops);
        hops.forEach(HopName::check);
        this.hops = ImmutableList.copyOf(hops);
    }

    public ImmutableList<String> hops() {
        return hops;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RouteLookup lookup(MailAddress recipient) {
        return RouteLookup.found(Route.to(hopFor(recipient)));
    }

    String hopFor(MailAddress recipient) {
        String key = RouteKey.ofAddress(recipient);
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (String hop : hops) {
            long score = HASH.newHasher()
                .putString(hop, StandardCharsets.UTF_8)
                .putByte((byte) 0)
                .putString(key, StandardCharsets.UTF_8)
                .hash()
                .asLong();
            if (best == null || score > bestScore || (score == bestScore && hop.compareTo(best) < 0)) {
                best = hop;
                bestScore = score;
            }
        }
        return best;
    }
}
