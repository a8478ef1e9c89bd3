package org.relaypack.delivery.smtp;

import java.util.Objects;
import java.util.function.Supplier;

import com.google.common.base.MoreObjects;

/**
 * AUTH credentials of one next hop. The password is read through a supplier so that it can come
 * from a file or an environment variable; it is resolved (and checked readable) at startup.
 * toString never shows the password.
 */
public final class Credentials {
    private final String username;
    private final Supplier<String> password;
    private final String passwordSource;

    public Credentials(String username, Supplier<String> password, String passwordSource) {
        this.username = Objects.requireNonNull(username);
        this.password = Objects.requireNonNull(password);
        this.passwordSource = Objects.requireNonNull(passwordSource);
    }

    public String username() {
        return username;
    }

    public String password() {
        return password.get();
    }

    /** Where the password comes from, for logs: "file:...", "env:NAME" or "inline". */
    public String passwordSource() {
        return passwordSource;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Credentials) {
            Credentials that = (Credentials) o;
            return username.equals(that.username) && passwordSource.equals(that.passwordSource);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, passwordSource);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("username", username).add("password", passwordSource).toString();
    }
}
