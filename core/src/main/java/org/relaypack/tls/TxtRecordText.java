package org.relaypack.tls;

/** The text of a TXT record as James's dnsjava-based DNSService gives it: each string quoted, in zone-file form. */
public final class TxtRecordText {
    private TxtRecordText() {
    }

    /**
     * {@code "v=STSv1; " "id=1;"} (dnsjava's zone-file form) becomes {@code v=STSv1; id=1;}: the strings of a record
     * are joined without spaces (RFC 8461 3.1, RFC 8460 3); unquoted text is taken as it is.
     */
    public static String joinStrings(String record) {
        String text = record.trim();
        if (!text.startsWith("\"")) {
            return text;
        }
        StringBuilder joined = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                continue; // the spaces between the strings
            } else if (c == '\\' && i + 1 < text.length()) {
                if (i + 3 < text.length() && Character.isDigit(text.charAt(i + 1)) && Character.isDigit(text.charAt(i + 2))
                    && Character.isDigit(text.charAt(i + 3))) {
                    joined.append((char) Integer.parseInt(text.substring(i + 1, i + 4)));
                    i += 3;
                } else {
                    joined.append(text.charAt(++i));
                }
            } else {
                joined.append(c);
            }
        }
        return joined.toString();
    }
}
