package org.relaypack.tls.mtasts;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.google.common.collect.ImmutableList;

/**
 * Strict parsing of a policy body (RFC 8461 3.2): {@code key: value} lines ended by LF or CRLF;
 * {@code version: STSv1}, {@code mode} and {@code max_age} exactly once, {@code mx} at least once
 * unless the mode is {@code none}; unknown keys ignored, as the RFC says. Anything else makes the
 * whole policy invalid, which the caller treats as "no policy".
 */
final class PolicyText {
    static final String VERSION = "STSv1";
    /** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
    static final long MAX_AGE_LIMIT = 31_557_600L;
    private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    private PolicyText() {
    }

    static MtaStsPolicy parse(String domain, String id, String text, Instant fetchedAt) throws PolicyUnavailable {
        Optional<String> version = Optional.empty();
        Optional<MtaStsMode> mode = Optional.empty();
        Optional<Duration> maxAge = Optional.empty();
        ImmutableList.Builder<String> mx = ImmutableList.builder();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            if (line.isEmpty() && number == lines.length) {
                break; // the terminator of the last line
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw invalid(number, "is not 'key: value'");
            }
            String key = line.substring(0, colon).stripTrailing();
            String value = line.substring(colon + 1).strip();
            if (!FIELD_NAME.matcher(key).matches()) {
                throw invalid(number, "has no valid field name");
            }
            if (!key.equals("mx") && !seen.add(key)) {
                throw invalid(number, "repeats the field '" + key + "'");
            }
            switch (key) {
                case "version":
                    if (!VERSION.equals(value)) {
                        throw invalid(number, "has version '" + value + "', not " + VERSION);
                    }
                    version = Optional.of(value);
                    break;
                case "mode":
                    Optional<MtaStsMode> parsed = MtaStsMode.parse(value);
                    if (parsed.isEmpty()) {
                        throw invalid(number, "has mode '" + value + "', not enforce, testing or none");
                    }
                    mode = parsed;
                    break;
                case "max_age":
                    maxAge = Optional.of(maxAge(value, number));
                    break;
                case "mx":
                    mx.add(mxPattern(value, number));
                    break;
                default:
                    break; // RFC 8461 3.2: unknown fields are ignored
            }
        }
        if (version.isEmpty()) {
            throw new PolicyUnavailable("policy has no 'version: STSv1' line");
        }
        if (mode.isEmpty()) {
            throw new PolicyUnavailable("policy has no 'mode' line");
        }
        if (maxAge.isEmpty()) {
            throw new PolicyUnavailable("policy has no 'max_age' line");
        }
        ImmutableList<String> patterns = mx.build();
        if (patterns.isEmpty() && mode.get() != MtaStsMode.NONE) {
            throw new PolicyUnavailable("policy in mode " + mode.get().value() + " has no 'mx' line");
        }
        return new MtaStsPolicy(domain, id, mode.get(), patterns, maxAge.get(), fetchedAt, text);
    }

    private static Duration maxAge(String value, int number) throws PolicyUnavailable {
        if (!MAX_AGE.matcher(value).matches()) {
            throw invalid(number, "has max_age '" + value + "', not a number of seconds");
        }
        long seconds = Long.parseLong(value);
        if (seconds > MAX_AGE_LIMIT) {
            throw invalid(number, "has max_age " + seconds + ", more than " + MAX_AGE_LIMIT);
        }
        return Duration.ofSeconds(seconds);
    }

    /** {@code ["*."] Domain}: LDH labels, at least two, lower-cased. */
    private static String mxPattern(String value, int number) throws PolicyUnavailable {
        String pattern = value.toLowerCase(Locale.ROOT);
        String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        String[] labels = name.split("\\.", -1);
        boolean valid = name.length() <= 253 && labels.length >= 2;
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        if (!valid) {
            throw invalid(number, "has mx '" + value + "', not a host name or *. and a domain");
        }
        return pattern;
    }

    private static PolicyUnavailable invalid(int number, String problem) {
        return new PolicyUnavailable("policy line " + number + " " + problem);
    }
}
