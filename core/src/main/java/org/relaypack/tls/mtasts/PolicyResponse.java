package org.relaypack.tls.mtasts;

import static org.relaypack.tls.mtasts.PolicyFetcher.remainingMillis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The status, headers and body of an HTTP/1.x response, read under the deadline and the caps. */
final class PolicyResponse {
    /** CR LF CR LF. */
    private static final int END_OF_HEAD = 0x0D0A0D0A;
    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;

    private PolicyResponse(int status, Map<String, String> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    static PolicyResponse read(Socket socket, long deadline, int maxHead, int maxBody) throws IOException, PolicyUnavailable {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int lastFour = 0;
        while (lastFour != END_OF_HEAD) {
            socket.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the response headers");
            }
            head.write(b);
            if (head.size() > maxHead) {
                throw new PolicyUnavailable("response headers longer than " + maxHead + " bytes");
            }
            lastFour = (lastFour << 8) | b;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.") || !statusLine[1].matches("[0-9]{3}")) {
            throw new PolicyUnavailable("the response does not begin with an HTTP/1.x status line: '" + lines[0] + "'");
        }
        Map<String, String> headers = new ConcurrentHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int status = Integer.parseInt(statusLine[1]);
        if (status != 200) {
            return new PolicyResponse(status, headers, new byte[0]);
        }
        return new PolicyResponse(status, headers, body(socket, in, headers, deadline, maxBody));
    }

    private static byte[] body(Socket socket, InputStream in, Map<String, String> headers, long deadline, int maxBody)
        throws IOException, PolicyUnavailable {
        if (headers.containsKey("transfer-encoding")) {
            throw new PolicyUnavailable("the response to an HTTP/1.0 request has Transfer-Encoding: " + headers.get("transfer-encoding"));
        }
        Optional<Long> length = Optional.empty();
        if (headers.containsKey("content-length")) {
            try {
                length = Optional.of(Long.parseLong(headers.get("content-length")));
            } catch (NumberFormatException e) {
                throw new PolicyUnavailable("Content-Length '" + headers.get("content-length") + "' is not a number");
            }
            if (length.get() > maxBody) {
                throw new PolicyUnavailable("the policy is " + length.get() + " bytes long, more than the " + maxBody + " allowed");
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (length.isEmpty() || body.size() < length.get()) {
            socket.setSoTimeout(remainingMillis(deadline));
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            body.write(buffer, 0, read);
            if (body.size() > maxBody) {
                throw new PolicyUnavailable("the policy is longer than the " + maxBody + " bytes allowed");
            }
        }
        if (length.isPresent() && body.size() < length.get()) {
            throw new IOException("connection closed after " + body.size() + " of " + length.get() + " bytes of the policy");
        }
        return body.toByteArray();
    }

    /** The body when the response is a 200 with {@code text/plain}; a redirect or any other answer is refused. */
    String policyText(String url) throws PolicyUnavailable {
        if (status >= 300 && status < 400) {
            throw new PolicyUnavailable(url + " answered " + status + " (redirect to " + headers.getOrDefault("location", "?")
                + "), and RFC 8461 3.3 forbids following redirects");
        }
        if (status != 200) {
            throw new PolicyUnavailable(url + " answered HTTP status " + status + ", not 200");
        }
        String contentType = headers.getOrDefault("content-type", "");
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("text/plain")) {
            throw new PolicyUnavailable(url + " answered Content-Type '" + contentType + "', not text/plain (RFC 8461 3.3)");
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
