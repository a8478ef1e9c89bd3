package org.relaypack.tls.report;

/**
 * Where the delivery path hands each policy outcome of a session (RFC 8460): one call per
 * outcome. Implementations are thread-safe and never throw.
 */
public interface TlsReportSink {
    /** Reporting is off: nothing is recorded. */
    TlsReportSink NONE = new TlsReportSink() {
        @Override
        public void success(TlsReportPolicy policy) {
        }

        @Override
        public void failure(TlsReportPolicy policy, TlsFailure failure) {
        }
    };

    /** A session negotiated TLS as the policy asks. */
    void success(TlsReportPolicy policy);

    /** A session (or the policy look-up before it) failed the policy. */
    void failure(TlsReportPolicy policy, TlsFailure failure);
}
