package org.relaypack.routing;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.HopName;

/**
 * Reads the routes file format, one route a line:
 * <pre>
 * # comment
 * user@example.com      server1
 * other@example.com     server2   other@mbox2.example.com
 * &#64;example.com          server1
 * *                     server3
 * </pre>
 * Key, next hop name and an optional rewritten recipient, separated by spaces or tabs.
 */
public final class RoutesFileParser {

    private RoutesFileParser() {
    }

    /**
     * @throws RoutesFileException with the line number and the reason of the first bad line
     */
    public static RouteTable parse(BufferedReader reader, String fileName) throws RoutesFileException, IOException {
        return parse(reader, fileName, KnownHops.any());
    }

    /**
     * As {@link #parse(BufferedReader, String)}, refusing a route to a next hop that is not in {@code knownHops}.
     *
     * @throws RoutesFileException with the line number and the reason of the first bad line
     */
    public static RouteTable parse(BufferedReader reader, String fileName, KnownHops knownHops) throws RoutesFileException, IOException {
        RouteTable.Builder builder = RouteTable.builder();
        String line;
        int lineNumber = 0;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            Optional<RouteEntry> entry = parseLine(line, fileName, lineNumber, knownHops);
            if (entry.isPresent()) {
                builder.add(entry.get().key(), entry.get().route(), lineNumber);
            }
        }
        try {
            return builder.build();
        } catch (RouteTable.DuplicateKeyException e) {
            throw new RoutesFileException(fileName, e.secondLine(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new RoutesFileException(fileName, 0, e.getMessage());
        }
    }

    /** @return empty for a blank or comment line */
    static Optional<RouteEntry> parseLine(String line, String fileName, int lineNumber) throws RoutesFileException {
        return parseLine(line, fileName, lineNumber, KnownHops.any());
    }

    static Optional<RouteEntry> parseLine(String line, String fileName, int lineNumber, KnownHops knownHops) throws RoutesFileException {
        String content = line.strip();
        if (content.isEmpty() || content.startsWith("#")) {
            return Optional.empty();
        }
        List<String> fields = fields(content);
        if (fields.size() < 2) {
            throw new RoutesFileException(fileName, lineNumber, "expected '<key> <next hop> [<rewritten recipient>]', got '" + content + "'");
        }
        if (fields.size() > 3) {
            throw new RoutesFileException(fileName, lineNumber, "too many fields in '" + content + "'");
        }
        try {
            String key = fields.get(0);
            String hop = HopName.check(fields.get(1));
            if (!knownHops.contains(hop)) {
                throw new RoutesFileException(fileName, lineNumber, "route '" + content + "': " + knownHops.unknown(hop));
            }
            if (fields.size() == 3) {
                return Optional.of(RouteEntry.of(key, Route.to(hop, parseAddress(fields.get(2)))));
            }
            return Optional.of(RouteEntry.of(key, Route.to(hop)));
        } catch (IllegalArgumentException e) {
            throw new RoutesFileException(fileName, lineNumber, e.getMessage());
        }
    }

    /** Splits on runs of spaces and tabs (a regex here costs seconds on a million lines). */
    private static List<String> fields(String content) {
        List<String> fields = new ArrayList<>(3);
        int start = -1;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            boolean separator = c == ' ' || c == '\t';
            if (separator && start >= 0) {
                fields.add(content.substring(start, i));
                start = -1;
            } else if (!separator && start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            fields.add(content.substring(start));
        }
        return fields;
    }

    private static MailAddress parseAddress(String value) {
        try {
            return new MailAddress(value);
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + value + "' is not a valid rewritten recipient: " + e.getMessage(), e);
        }
    }
}
