package org.relaypack.benchmarks.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;

class GcLogTest {
    @Test
    void parseShouldReadHeapBeforeAndAfterEachPauseInMib() {
        String log = "[0.040s][info][gc] Using G1\n"
            + "[1.2s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(1024M) 2.345ms\n"
            + "[2.0s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 2G->512M(3072M) 5.1ms\n"
            + "[2.1s][info][gc] GC(2) Concurrent Mark Cycle\n"
            + "[2.3s][info][gc] GC(2) Pause Remark 600M->590M(3072M) 1.0ms\n"
            + "[3.1s][info][gc] GC(3) Pause Full (Diagnostic Command) 812M->95M(3072M) 40.1ms\n"
            + "[4.1s][info][gc] GC(4) Pause Full (System.gc()) 2048K->1024K(3072M) 4.1ms\n";

        assertThat(GcLog.parse(log))
            .extracting(p -> p.kind, p -> p.beforeMib, p -> p.afterMib, GcLog.Pause::forcedFull)
            .containsExactly(
                tuple("Pause Young (Normal) (G1 Evacuation Pause)", 24.0, 3.0, false),
                tuple("Pause Young (Concurrent Start) (G1 Humongous Allocation)", 2048.0, 512.0, false),
                tuple("Pause Remark", 600.0, 590.0, false),
                tuple("Pause Full (Diagnostic Command)", 812.0, 95.0, true),
                tuple("Pause Full (System.gc())", 2.0, 1.0, true));
    }
}
