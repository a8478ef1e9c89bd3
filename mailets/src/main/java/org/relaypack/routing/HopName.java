package org.relaypack.routing;

/** The syntax of a next hop name as written in routes: letters, digits, '.', '_' and '-'. */
public final class HopName {
    private static final int MAX_LENGTH = 254;

    /**
     * @throws IllegalArgumentException naming the value when it is not a hop name
     */
    public static String check(String hop) {
        if (!isValid(hop)) {
            throw new IllegalArgumentException("'" + hop + "' is not a next hop name (letters, digits, '.', '_', '-')");
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
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private HopName() {
    }
}
