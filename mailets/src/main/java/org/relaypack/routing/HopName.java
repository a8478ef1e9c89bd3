package org.relaypack.routing;

import java.util.regex.Pattern;

/** The syntax of a next hop name as written in routes: letters, digits, '.', '_' and '-'. */
public final class HopName {
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,253}");

    /**
     * @throws IllegalArgumentException naming the value when it is not a hop name
     */
    public static String check(String hop) {
        if (hop == null || !SYNTAX.matcher(hop).matches()) {
            throw new IllegalArgumentException("'" + hop + "' is not a next hop name (letters, digits, '.', '_', '-')");
        }
        return hop;
    }

    public static boolean isValid(String hop) {
        return hop != null && SYNTAX.matcher(hop).matches();
    }

    private HopName() {
    }
}
