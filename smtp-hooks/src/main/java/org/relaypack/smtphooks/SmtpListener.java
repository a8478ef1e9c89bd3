package org.relaypack.smtphooks;

import java.util.Objects;

import org.relaypack.tls.TlsMode;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * One {@code <smtpserver>} block of smtpserver.xml, as far as the submission policy cares: its
 * name, its ports, its TLS mode and the handlers of its chain.
 *
 * The TLS mode is the pack's one {@link TlsMode}, read from the server side as Postfix reads
 * smtpd_tls_security_level: no {@code <tls>} is {@link TlsMode#NONE}; {@code startTLS="true"} is
 * {@link TlsMode#OPPORTUNISTIC} (offered), or {@link TlsMode#STARTTLS_REQUIRED} when the chain holds
 * {@link RequireTls}; {@code socketTLS="true"} is {@link TlsMode#IMPLICIT}.
 */
public final class SmtpListener {

    private final String jmxName;
    private final ImmutableList<Integer> ports;
    private final TlsMode tlsMode;
    private final ImmutableList<String> handlerClasses;

    public SmtpListener(String jmxName, ImmutableList<Integer> ports, TlsMode tlsMode, ImmutableList<String> handlerClasses) {
        this.jmxName = Objects.requireNonNull(jmxName);
        this.ports = Objects.requireNonNull(ports);
        this.tlsMode = Objects.requireNonNull(tlsMode);
        this.handlerClasses = Objects.requireNonNull(handlerClasses);
    }

    public String jmxName() {
        return jmxName;
    }

    public ImmutableList<Integer> ports() {
        return ports;
    }

    public TlsMode tlsMode() {
        return tlsMode;
    }

    public boolean hasHandler(Class<?> handlerClass) {
        return handlerClasses.contains(handlerClass.getName());
    }

    /** How an operator finds this block in smtpserver.xml. */
    public String describe() {
        return "smtpserver '" + jmxName + "' (port " + ports.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("?") + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof SmtpListener) {
            SmtpListener that = (SmtpListener) o;
            return jmxName.equals(that.jmxName) && ports.equals(that.ports) && tlsMode == that.tlsMode
                && handlerClasses.equals(that.handlerClasses);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(jmxName, ports, tlsMode, handlerClasses);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("jmxName", jmxName)
            .add("ports", ports)
            .add("tlsMode", tlsMode)
            .toString();
    }
}
