package org.relaypack.benchmarks.relay;

/**
 * How the load generator's sessions use their inbound connections to James: a new connection per
 * message ({@code smtp-source}) or one connection per session for all its messages
 * ({@code smtp-source -d}). With reuse, James's intake is much cheaper and the delivery side can
 * become the bottleneck.
 */
enum InboundMode {
    NEW_PER_MESSAGE("new", "", "a new inbound connection per message"),
    REUSED("reused", "-reused", "inbound connections reused (smtp-source -d style)");

    private final String option;
    private final String phaseSuffix;
    private final String description;

    InboundMode(String option, String phaseSuffix, String description) {
        this.option = option;
        this.phaseSuffix = phaseSuffix;
        this.description = description;
    }

    /** Its value of {@code --inbound}, and its name in the report's tables. */
    String option() {
        return option;
    }

    /** Appended to a pass's phase name: none for a new connection per message, so phases keep the names of earlier reports. */
    String phaseSuffix() {
        return phaseSuffix;
    }

    String description() {
        return description;
    }

    static InboundMode fromOption(String value) {
        for (InboundMode mode : values()) {
            if (mode.option.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("--inbound '" + value + "' is not one of new, reused, both");
    }
}
