package org.relaypack.delivery;

import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.Secrets;
import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/** One {@code <nexthop>} of relaypack.xml: its name, type and hosts, and its TLS, AUTH and limits through their own readers. */
final class NextHopElement {
    static final String NEXTHOP = "nexthop";
    static final String NAME = "name";
    static final String TYPE = "type";
    static final String TYPE_HOSTS = "hosts";
    static final String TYPE_MX = "mx";
    static final String FALLBACK = "fallback";
    static final String PORT = "port";
    static final String CONCURRENCY = "concurrency";
    static final String FIRST_ATTEMPT = "firstAttempt";
    static final String HOST = "host";
    static final String HELO_NAME = "heloName";
    static final int MAX_CONCURRENCY = 64;

    private final TlsElement tls;
    private final DaneConfigurationReader dane;
    private final AuthElement auth;

    NextHopElement(Secrets secrets) {
        this.tls = new TlsElement(secrets);
        this.dane = new DaneConfigurationReader(secrets);
        this.auth = new AuthElement(secrets);
    }

    NextHop parse(ConfigElement element, RetryPolicy defaultRetry, LoopDetection loopDetection) throws ConfigurationException {
        element.checkAllowed(ImmutableSet.of(NAME, TYPE, FALLBACK, CONCURRENCY, PORT, FIRST_ATTEMPT),
            ImmutableSet.of(HOST, TlsElement.TLS, AuthElement.AUTH, LimitsElement.TIMEOUTS, LimitsElement.POOL, HELO_NAME,
                LimitsElement.RETRY, LimitsElement.LANES));
        String name = element.required(NAME);
        if (!HopName.isValid(name)) {
            throw element.error(NAME, name, "must be " + HopName.SYNTAX);
        }
        NextHopBuilder builder = NextHop.builder(name).loopDetection(loopDetection);
        kindAndHosts(element, builder);
        TlsPolicy tlsPolicy = tls.parse(element);
        builder.tls(tlsPolicy);
        boolean mx = TYPE_MX.equals(element.value(TYPE).orElse(TYPE_HOSTS));
        dane.read(element, mx ? NextHop.Kind.RECIPIENT_MX : NextHop.Kind.HOSTS).ifPresent(builder::dane);
        if (tlsPolicy.mode().usesMtaSts()) {
            if (!mx) {
                throw element.error("<tls mode=\"" + tlsPolicy.mode().configValue() + "\"> is only for type=\"mx\": the policy is the "
                    + "recipient domain's");
            }
            builder.mtaSts(MtaStsElement.settings(element.child(TlsElement.TLS).get(), tlsPolicy));
        }
        Optional<Credentials> credentials = auth.parse(element, tlsPolicy);
        credentials.ifPresent(builder::credentials);
        LimitsElement.timeouts(element, builder);
        LimitsElement.pool(element, builder);
        Optional<ConfigElement> helo = element.child(HELO_NAME);
        if (helo.isPresent()) {
            helo.get().checkAllowed(ImmutableSet.of(), ImmutableSet.of());
            builder.heloName(helo.get().requiredText());
        }
        int concurrency = element.integer(CONCURRENCY, 1, MAX_CONCURRENCY).orElse(HopScheduling.DEFAULT_CONCURRENCY);
        NextHop hop = builder.build();
        return hop.withScheduling(HopScheduling.of(LimitsElement.retry(element, defaultRetry), concurrency, element.value(FALLBACK),
                firstAttempt(element, hop))
            .withLanes(LimitsElement.lanes(element, hop)));
    }

    private static void kindAndHosts(ConfigElement element, NextHopBuilder builder) throws ConfigurationException {
        String type = element.value(TYPE).orElse(TYPE_HOSTS);
        ImmutableList<ConfigElement> hostElements = element.children(HOST);
        switch (type) {
            case TYPE_HOSTS:
                if (hostElements.isEmpty()) {
                    throw element.error("needs at least one <host> (or type=\"mx\" to deliver to the recipient domain's MX)");
                }
                if (element.value(PORT).isPresent()) {
                    throw element.error(PORT, element.value(PORT).get(),
                        "is only for type=\"mx\": write the port of each <host> as [host]:port");
                }
                builder.kind(NextHop.Kind.HOSTS);
                break;
            case TYPE_MX:
                if (!hostElements.isEmpty()) {
                    throw element.error("type=\"mx\" delivers to each recipient domain's MX and takes no <host>");
                }
                builder.kind(NextHop.Kind.RECIPIENT_MX);
                element.integer(PORT, 1, 65535).ifPresent(builder::mxPort);
                break;
            default:
                throw element.error(TYPE, type, "is not one of hosts, mx");
        }
        for (ConfigElement hostElement : hostElements) {
            hostElement.checkAllowed(ImmutableSet.of(), ImmutableSet.of());
            String text = hostElement.requiredText();
            try {
                builder.host(HostSpec.parse(text));
            } catch (IllegalArgumentException e) {
                throw hostElement.error(HOST, text, "is not [host]:port, host or host:port: " + e.getMessage());
            }
        }
    }

    private static HopScheduling.FirstAttempt firstAttempt(ConfigElement element, NextHop hop) throws ConfigurationException {
        Optional<String> text = element.value(FIRST_ATTEMPT);
        if (text.isEmpty()) {
            return HopScheduling.FirstAttempt.defaultFor(hop);
        }
        return HopScheduling.FirstAttempt.parse(text.get())
            .orElseThrow(() -> element.error(FIRST_ATTEMPT, text.get(), "is not one of inline, queue"));
    }
}
