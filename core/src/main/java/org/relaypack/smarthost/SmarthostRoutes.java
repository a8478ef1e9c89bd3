package org.relaypack.smarthost;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.relaypack.config.ConfigElement;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.lifecycle.NotInstalled;
import org.relaypack.routing.RouteKey;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.inject.ProvidedBy;

/**
 * The {@code <smarthost>} section of relaypack.xml: which next hop each recipient goes to.
 *
 * Lookup order, as Postfix's: a recipient route (transport_maps: full address, then @domain) wins;
 * then a sender route (sender_dependent_relayhost_maps: full address, then @domain); then the
 * default (relayhost). Keys are compared in lower case, local part included, as Postfix compares
 * table keys ({@link RouteKey}). The null sender matches no sender route.
 *
 * Parsed once per James by the pack's Guice module (docs/lifecycle.md); without the module, James
 * stops at startup saying which line to add.
 */
@ProvidedBy(SmarthostRoutes.NotInstalledProvider.class)
public final class SmarthostRoutes {
    /** What Guice gives without the pack's module: a startup failure naming the line to add. */
    public static final class NotInstalledProvider extends NotInstalled<SmarthostRoutes> {
        public NotInstalledProvider() {
            super(SmarthostRoutes.class);
        }
    }

    public static final String SECTION = "smarthost";
    static final String ROUTE = "route";
    static final String DEFAULT = "default";
    static final String RECIPIENT = "recipient";
    static final String SENDER = "sender";
    static final String NEXTHOP = "nexthop";

    public static SmarthostRoutes from(HierarchicalConfiguration<ImmutableNode> relaypackXml, NextHopsConfiguration hops)
        throws ConfigurationException {
        ConfigElement root = ConfigElement.root(relaypackXml);
        ConfigElement section = root.child(SECTION)
            .orElseThrow(() -> root.error("has no <smarthost> section: SmarthostDelivery needs its routes"));
        section.checkAllowed(ImmutableSet.of(), ImmutableSet.of(ROUTE, DEFAULT));
        Map<String, NextHop> recipientRoutes = new LinkedHashMap<>();
        Map<String, NextHop> senderRoutes = new LinkedHashMap<>();
        for (ConfigElement route : section.children(ROUTE)) {
            route.checkAllowed(ImmutableSet.of(RECIPIENT, SENDER, NEXTHOP), ImmutableSet.of());
            Optional<String> recipient = route.value(RECIPIENT);
            Optional<String> sender = route.value(SENDER);
            if (recipient.isPresent() == sender.isPresent()) {
                throw route.error("needs exactly one of recipient=\"...\" or sender=\"...\"");
            }
            String attribute = recipient.isPresent() ? RECIPIENT : SENDER;
            String value = recipient.or(() -> sender).get();
            String key = key(route, attribute, value);
            Map<String, NextHop> table = recipient.isPresent() ? recipientRoutes : senderRoutes;
            if (table.containsKey(key)) {
                throw route.error(attribute, value, "has a route already");
            }
            table.put(key, hop(route, hops));
        }
        Optional<ConfigElement> defaultRoute = section.child(DEFAULT);
        Optional<NextHop> defaultHop = Optional.empty();
        if (defaultRoute.isPresent()) {
            defaultRoute.get().checkAllowed(ImmutableSet.of(NEXTHOP), ImmutableSet.of());
            defaultHop = Optional.of(hop(defaultRoute.get(), hops));
        }
        if (recipientRoutes.isEmpty() && senderRoutes.isEmpty() && defaultHop.isEmpty()) {
            throw section.error("has no <route> and no <default>: every mail would fail");
        }
        return new SmarthostRoutes(ImmutableMap.copyOf(recipientRoutes), ImmutableMap.copyOf(senderRoutes), defaultHop);
    }

    private static NextHop hop(ConfigElement element, NextHopsConfiguration hops) throws ConfigurationException {
        String name = element.required(NEXTHOP);
        return hops.hop(name)
            .orElseThrow(() -> element.error(NEXTHOP, name, "names no <nexthop> in <nexthops> (defined: "
                + (hops.hops().isEmpty() ? "none" : String.join(", ", hops.hops().keySet())) + ")"));
    }

    /** "@domain" or "local@domain", normalised as every route key of the pack ({@link RouteKey}). */
    private static String key(ConfigElement route, String attribute, String value) throws ConfigurationException {
        if (value.trim().equals(RouteKey.DEFAULT)) {
            throw route.error(attribute, value, "is not a route key here: write the default as <default nexthop=\"...\"/>");
        }
        try {
            return RouteKey.normalize(value);
        } catch (IllegalArgumentException e) {
            throw route.error(attribute, value, "is neither @domain nor a mail address: " + e.getMessage());
        }
    }

    private final ImmutableMap<String, NextHop> recipientRoutes;
    private final ImmutableMap<String, NextHop> senderRoutes;
    private final Optional<NextHop> defaultHop;

    private SmarthostRoutes(ImmutableMap<String, NextHop> recipientRoutes, ImmutableMap<String, NextHop> senderRoutes,
                            Optional<NextHop> defaultHop) {
        this.recipientRoutes = recipientRoutes;
        this.senderRoutes = senderRoutes;
        this.defaultHop = defaultHop;
    }

    /** The next hop for one recipient of a mail from the sender; empty when no route and no default apply. */
    public Optional<NextHop> resolve(MaybeSender sender, MailAddress recipient) {
        return lookup(recipientRoutes, recipient)
            .or(() -> sender.asOptional().flatMap(address -> lookup(senderRoutes, address)))
            .or(() -> defaultHop);
    }

    private static Optional<NextHop> lookup(ImmutableMap<String, NextHop> table, MailAddress address) {
        return Optional.ofNullable(table.get(RouteKey.ofAddress(address)))
            .or(() -> Optional.ofNullable(table.get(RouteKey.ofDomain(address.getDomain()))));
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("recipientRoutes", recipientRoutes.keySet())
            .add("senderRoutes", senderRoutes.keySet())
            .add("default", defaultHop.map(NextHop::name))
            .toString();
    }
}
