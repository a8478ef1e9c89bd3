package org.relaypack.it.lifecycle;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

/** Installed through extensions.properties guice.extension.module. */
public class ProbeModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(ProbePart.class).in(Scopes.SINGLETON);
    }
}
