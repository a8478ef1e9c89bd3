package org.relaypack.config;

import java.util.Locale;

import com.google.common.collect.ImmutableSet;

/**
 * Which parameters may hold a secret, so that no error and no log line writes their value: a
 * misspelt {@code pasword="..."} must not put the password into James's log either.
 */
public final class SecretNames {
    /** Password-like names whose value says where the secret is, not the secret: errors may show them. */
    static final ImmutableSet<String> LOCATIONS = ImmutableSet.of(Secrets.PASSWORD_FILE, Secrets.PASSWORD_ENV);
    static final String NOT_SHOWN = "(value not shown)";

    private SecretNames() {
    }

    /** pas*, *pass*, *pasw*, *pwd*, *secret*, *credential*, in any case (but passwordFile and passwordEnv). */
    public static boolean isSecret(String parameter) {
        String name = parameter.toLowerCase(Locale.ROOT);
        // "pas", "pasw": a misspelt "pasword" or "bindPasword" is as secret as the real one
        return (name.startsWith("pas") || name.contains("pass") || name.contains("pasw") || name.contains("pwd") || name.contains("secret")
            || name.contains("credential")) && !LOCATIONS.contains(parameter);
    }

    /** The value as errors write it: quoted, or "(value not shown)". */
    static String shown(String parameter, String value) {
        return isSecret(parameter) ? NOT_SHOWN : "'" + value + "'";
    }
}
