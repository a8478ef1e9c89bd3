package org.relaypack.delivery;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * One delivery attempt of a mail through a next hop and its fallback chain: what each hop of the
 * chain answered, in order, and the final outcome of every recipient (the last hop that saw it).
 */
final class ChainResult {
    /** What one hop of the chain answered, for the recipients it was given. */
    static final class Step {
        private final NextHop hop;
        private final DeliveryResult result;

        Step(NextHop hop, DeliveryResult result) {
            this.hop = hop;
            this.result = result;
        }

        NextHop hop() {
            return hop;
        }

        DeliveryResult result() {
            return result;
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("hop", hop.name()).add("result", result).toString();
        }
    }

    static ChainResult of(List<Step> steps) {
        Preconditions.checkArgument(!steps.isEmpty(), "a chain has at least its first hop");
        Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
        steps.forEach(step -> step.result.outcomes().forEach(outcome -> outcomes.put(outcome.recipient(), outcome)));
        return new ChainResult(ImmutableList.copyOf(steps), ImmutableList.copyOf(outcomes.values()));
    }

    private final ImmutableList<Step> steps;
    private final ImmutableList<RecipientOutcome> outcomes;

    private ChainResult(ImmutableList<Step> steps, ImmutableList<RecipientOutcome> outcomes) {
        this.steps = steps;
        this.outcomes = outcomes;
    }

    ImmutableList<Step> steps() {
        return steps;
    }

    /** The final outcome of each recipient. */
    ImmutableList<RecipientOutcome> outcomes() {
        return outcomes;
    }

    ImmutableList<RecipientOutcome> with(RecipientOutcome.Status status) {
        return outcomes.stream().filter(outcome -> outcome.status() == status).collect(ImmutableList.toImmutableList());
    }

    ImmutableList<MailAddress> recipientsWith(RecipientOutcome.Status status) {
        return with(status).stream().map(RecipientOutcome::recipient).collect(ImmutableList.toImmutableList());
    }

    /** The same attempt as if these recipients had not been in it. */
    ChainResult without(Collection<MailAddress> recipients) {
        return of(steps.stream()
            .map(step -> new Step(step.hop, DeliveryResult.of(
                step.result.outcomes().stream().filter(outcome -> !recipients.contains(outcome.recipient())).collect(ImmutableList.toImmutableList()),
                step.result.host(), step.result.tlsProtocol(), step.result.tlsCipher())))
            .collect(ImmutableList.toImmutableList()));
    }

    /** The answer of the last hop tried: its host and TLS facts go on a bounce. */
    DeliveryResult last() {
        return steps.get(steps.size() - 1).result;
    }

    /** The hop itself, its fallbacks apart, delivered to at least one recipient. */
    boolean hopDelivered() {
        return !steps.get(0).result.recipientsWith(RecipientOutcome.Status.DELIVERED).isEmpty();
    }

    /** The hop itself, its fallbacks apart, delivered nothing and failed temporarily: it looks down. */
    boolean hopFailedTemporarily() {
        return !hopDelivered() && !steps.get(0).result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE).isEmpty();
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("steps", steps).toString();
    }
}
