package org.relaypack.smtphooks;

import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.relaypack.tls.TlsMode;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * The enabled listeners of smtpserver.xml. A handler only receives its own XML element, so the
 * hooks that must know their listener (its TLS mode, its name) read the whole file once at init.
 */
public final class SmtpListeners {
    static final String COMPONENT = "smtpserver";
    static final String DEFAULT_JMX_NAME = "smtpserver";

    public static SmtpListeners load(ConfigurationProvider configurationProvider) throws ConfigurationException {
        return from(configurationProvider.getConfiguration(COMPONENT));
    }

    public static SmtpListeners from(HierarchicalConfiguration<ImmutableNode> smtpserverXml) throws ConfigurationException {
        ImmutableList.Builder<SmtpListener> listeners = ImmutableList.builder();
        for (HierarchicalConfiguration<ImmutableNode> server : smtpserverXml.configurationsAt("smtpserver")) {
            if (server.getBoolean("[@enabled]", true)) {
                listeners.add(parse(server));
            }
        }
        return new SmtpListeners(listeners.build());
    }

    private static SmtpListener parse(HierarchicalConfiguration<ImmutableNode> server) throws ConfigurationException {
        String jmxName = server.getString("jmxName", DEFAULT_JMX_NAME);
        boolean startTls = server.getBoolean("tls.[@startTLS]", false);
        boolean socketTls = server.getBoolean("tls.[@socketTLS]", false);
        ImmutableList<String> handlers = server.getList(String.class, "handlerchain.handler[@class]", ImmutableList.of()).stream()
            .map(String::trim)
            .collect(ImmutableList.toImmutableList());
        return new SmtpListener(jmxName, ports(jmxName, server.getString("bind", "0.0.0.0:25")),
            tlsMode(socketTls, startTls, handlers), handlers);
    }

    /** Postfix's smtpd_tls_security_level for the listener: STARTTLS offered is "may", and "encrypt" when RequireTls holds the chain. */
    private static TlsMode tlsMode(boolean socketTls, boolean startTls, ImmutableList<String> handlers) {
        if (socketTls) {
            return TlsMode.IMPLICIT;
        }
        if (startTls) {
            return handlers.contains(RequireTls.class.getName()) ? TlsMode.STARTTLS_REQUIRED : TlsMode.OPPORTUNISTIC;
        }
        return TlsMode.NONE;
    }

    private static ImmutableList<Integer> ports(String jmxName, String bind) throws ConfigurationException {
        ImmutableList.Builder<Integer> ports = ImmutableList.builder();
        for (String address : Splitter.on(',').trimResults().omitEmptyStrings().split(bind)) {
            int colon = address.lastIndexOf(':');
            try {
                ports.add(Integer.parseInt(address.substring(colon + 1).trim()));
            } catch (NumberFormatException e) {
                throw new ConfigurationException("smtpserver '" + jmxName + "': unparsable bind address '" + address + "'", e);
            }
        }
        return ports.build();
    }

    private final ImmutableList<SmtpListener> listeners;

    private SmtpListeners(ImmutableList<SmtpListener> listeners) {
        this.listeners = listeners;
    }

    public ImmutableList<SmtpListener> all() {
        return listeners;
    }

    public ImmutableList<SmtpListener> withHandler(Class<?> handlerClass) {
        return listeners.stream()
            .filter(listener -> listener.hasHandler(handlerClass))
            .collect(ImmutableList.toImmutableList());
    }

    /** The listener bound to this local port, when exactly one is. */
    public Optional<SmtpListener> onPort(int port) {
        List<SmtpListener> candidates = listeners.stream()
            .filter(listener -> listener.ports().contains(port))
            .collect(ImmutableList.toImmutableList());
        if (candidates.size() == 1) {
            return Optional.of(candidates.get(0));
        }
        return Optional.empty();
    }
}
