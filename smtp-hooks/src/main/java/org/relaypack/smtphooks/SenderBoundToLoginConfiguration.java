package org.relaypack.smtphooks;

import java.util.Objects;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/** The parameters of {@link SenderBoundToLogin}, parsed once. */
public final class SenderBoundToLoginConfiguration {
    public static final String CHECK_FROM_HEADER = "checkFromHeader";
    public static final boolean DEFAULT_CHECK_FROM_HEADER = false;

    public static SenderBoundToLoginConfiguration from(Configuration configuration) throws ConfigurationException {
        ConfigElement parameters = ConfigElement.ofHandler(SenderBoundToLogin.NAME, configuration)
            .checkAllowed(ImmutableSet.of(CHECK_FROM_HEADER), ImmutableSet.of());
        return new SenderBoundToLoginConfiguration(parameters.bool(CHECK_FROM_HEADER).orElse(DEFAULT_CHECK_FROM_HEADER));
    }

    private final boolean checkFromHeader;

    public SenderBoundToLoginConfiguration(boolean checkFromHeader) {
        this.checkFromHeader = checkFromHeader;
    }

    public boolean checkFromHeader() {
        return checkFromHeader;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenderBoundToLoginConfiguration && checkFromHeader == ((SenderBoundToLoginConfiguration) o).checkFromHeader;
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkFromHeader);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("checkFromHeader", checkFromHeader).toString();
    }
}
