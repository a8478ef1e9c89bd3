package org.relaypack.routing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.google.common.base.Ticker;

class ManualTicker extends Ticker {
    private final AtomicLong nanos = new AtomicLong();

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long read() {
        return nanos.get();
    }
}
