package org.relaypack.lifecycle;

import javax.inject.Provider;

/**
 * What a James without the pack's Guice module gets for a shared part (the delivery engine's
 * routes, the route directory): a startup failure that says which line to add. The shared parts
 * are made once per James by {@code org.relaypack.wiring.RelaypackModule}, installed through
 * {@code conf/extensions.properties}; see docs/lifecycle.md.
 *
 * Subclass it per shared type and name the subclass in the type's {@code @ProvidedBy}: Guice uses
 * it only when no module binds the type.
 */
public abstract class NotInstalled<T> implements Provider<T> {
    public static final String MODULE = "org.relaypack.wiring.RelaypackModule";
    public static final String EXTENSIONS_LINE = "guice.extension.module=" + MODULE;

    private final Class<T> type;

    protected NotInstalled(Class<T> type) {
        this.type = type;
    }

    @Override
    public T get() {
        throw new IllegalStateException("relaypack is not installed in this James: " + type.getName()
            + " is made once per James by the pack's Guice module. Add the line '" + EXTENSIONS_LINE
            + "' to conf/extensions.properties (see docs/lifecycle.md)");
    }
}
