package org.relaypack.delivery;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

/**
 * The engine's metrics, per next hop: counters of recipients delivered, deferred, bounced and dropped as already delivered, the
 * time of one delivery attempt, and counters of the mails whose first attempt was made inline or
 * queued. The names are public API (docs/smarthost.md).
 */
public final class DeliveryMetrics {
    public static final String PREFIX = "relaypack.delivery.";

    public static String delivered(String hop) {
        return PREFIX + hop + ".delivered";
    }

    public static String deferred(String hop) {
        return PREFIX + hop + ".deferred";
    }

    public static String bounced(String hop) {
        return PREFIX + hop + ".bounced";
    }

    /** Recipients of a copy dropped because the delivered ledger has them as delivered to the hop. */
    public static String duplicateDropped(String hop) {
        return PREFIX + hop + ".duplicateDropped";
    }

    public static String deliveryTime(String hop) {
        return PREFIX + hop + ".deliveryTime";
    }

    public static String inlineFirst(String hop) {
        return PREFIX + hop + ".firstAttempt.inline";
    }

    public static String queuedFirst(String hop) {
        return PREFIX + hop + ".firstAttempt.queued";
    }

    private final MetricFactory metricFactory;

    DeliveryMetrics(MetricFactory metricFactory) {
        this.metricFactory = metricFactory;
    }

    void delivered(String hop, int recipients) {
        add(delivered(hop), recipients);
    }

    void deferred(String hop, int recipients) {
        add(deferred(hop), recipients);
    }

    void bounced(String hop, int recipients) {
        add(bounced(hop), recipients);
    }

    void duplicateDropped(String hop, int recipients) {
        add(duplicateDropped(hop), recipients);
    }

    void firstAttemptInline(String hop) {
        metricFactory.generate(inlineFirst(hop)).increment();
    }

    void firstAttemptQueued(String hop) {
        metricFactory.generate(queuedFirst(hop)).increment();
    }

    TimeMetric deliveryTimer(String hop) {
        return metricFactory.timer(deliveryTime(hop));
    }

    private void add(String name, int count) {
        if (count > 0) {
            metricFactory.generate(name).add(count);
        }
    }
}
