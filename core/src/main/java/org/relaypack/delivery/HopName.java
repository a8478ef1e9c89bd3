package org.relaypack.delivery;

/**
 * The one syntax of a next hop name, in {@code <nexthops>} and wherever a route names a next hop
 * (smarthost routes, routes file, LDAP {@code mailHost} after the host map, RRT, placement, WebAdmin):
 * 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit. Lower case
 * only, so that a name compares as it reads (LDAP {@code mailHost} values, host names, are
 * lower-cased before they are looked up) and names the queue {@code relaypack-<name>} one way.
 */
public final class HopName {
    public static final int MAX_LENGTH = 64;
    public static final String SYNTAX = "1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";

    /**
     * @throws IllegalArgumentException naming the value when it is not a hop name
     */
    public static String check(String hop) {
        if (!isValid(hop)) {
            throw new IllegalArgumentException("'" + hop + "' is not a next hop name (" + SYNTAX + ")");
        }
        return hop;
    }

    public static boolean isValid(String hop) {
        if (hop == null || hop.isEmpty() || hop.length() > MAX_LENGTH || !isLetterOrDigit(hop.charAt(0))) {
            return false;
        }
        for (int i = 1; i < hop.length(); i++) {
            char c = hop.charAt(i);
            if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private HopName() {
    }
}
