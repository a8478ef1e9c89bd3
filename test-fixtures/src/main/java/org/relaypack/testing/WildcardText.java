package org.relaypack.testing;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A text as a test expects it, {@code **} standing for any text (line ends included), as a regular expression. */
public final class WildcardText {
    public static final String ANY = "**";

    /** The whole text must match: for AssertJ's {@code hasMessageMatching(WildcardText.regex("... '2h' ** at most 1h"))}. */
    public static String regex(String expected) {
        return Arrays.stream(expected.split(Pattern.quote(ANY), -1))
            .map(part -> part.isEmpty() ? "" : Pattern.quote(part))
            .collect(Collectors.joining(".*", "(?s)", ""));
    }

    private WildcardText() {
    }
}
