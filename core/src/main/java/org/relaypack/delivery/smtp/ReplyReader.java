package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads replies (RFC 5321 4.2) with a deadline per reply, not per read: a server that drips its
 * reply a byte at a time still hits the deadline. Replies are capped in line length, number of
 * lines and bytes, so a server streaming continuation lines ends in an error, never in memory
 * exhaustion.
 */
final class ReplyReader {
    static final int MAX_LINE_LENGTH = 8192;
    static final int MAX_LINES = 100;
    static final int MAX_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final byte[] buffer = new byte[4096];
    private int position;
    private int limit;
    private long deadlineNanos;
    private Duration timeout;
    private String waitingFor;

    ReplyReader(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** True when bytes arrived that no reply was asked for yet (e.g. after a 220 to STARTTLS). */
    boolean hasUnreadInput() throws IOException {
        return position < limit || in.available() > 0;
    }

    /**
     * @param timeout  how long the whole reply may take
     * @param waitingFor what the reply answers, for the error text ("the greeting", "MAIL FROM")
     */
    ServerReply read(Duration timeout, String waitingFor) throws IOException {
        this.timeout = timeout;
        this.waitingFor = waitingFor;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        int code = -1;
        int bytes = 0;
        while (true) {
            String line = readLine();
            bytes += line.length() + 2;
            if (line.length() < 3 || !isDigits(line.substring(0, 3)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("malformed reply line to " + waitingFor + ": '" + abbreviate(line) + "'");
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code == -1) {
                code = lineCode;
            } else if (code != lineCode) {
                throw new IOException("reply code changed within a multi-line reply to " + waitingFor + ": '" + abbreviate(line) + "'");
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return ServerReply.of(code, lines);
            }
            if (lines.size() >= MAX_LINES || bytes >= MAX_BYTES) {
                throw new IOException("reply to " + waitingFor + " longer than " + MAX_LINES + " lines or " + MAX_BYTES + " bytes");
            }
        }
    }

    private String readLine() throws IOException {
        int start = position;
        byte[] line = null;
        int length = 0;
        while (true) {
            if (position == limit) {
                if (position > start) {
                    line = append(line, length, start, position - start);
                    length += position - start;
                }
                fill();
                start = position;
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int count = position - 1 - start;
                if (line == null) {
                    return text(buffer, start, count);
                }
                line = append(line, length, start, count);
                return text(line, 0, length + count);
            }
            if (length + position - start > MAX_LINE_LENGTH) {
                throw new IOException("reply line to " + waitingFor + " longer than " + MAX_LINE_LENGTH + " bytes");
            }
        }
    }

    private byte[] append(byte[] line, int length, int from, int count) {
        byte[] grown = new byte[length + count];
        if (line != null) {
            System.arraycopy(line, 0, grown, 0, length);
        }
        System.arraycopy(buffer, from, grown, length, count);
        return grown;
    }

    private static String text(byte[] bytes, int offset, int count) {
        int length = count > 0 && bytes[offset + count - 1] == '\r' ? count - 1 : count;
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    private void fill() throws IOException {
        long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw timedOut();
        }
        socket.setSoTimeout(Math.toIntExact(Math.min(remainingMillis, Integer.MAX_VALUE)));
        int count;
        try {
            count = in.read(buffer, 0, buffer.length);
        } catch (SocketTimeoutException e) {
            throw timedOut();
        }
        if (count == -1) {
            throw new IOException("connection closed by the server while waiting for the reply to " + waitingFor);
        }
        position = 0;
        limit = count;
    }

    private SocketTimeoutException timedOut() {
        return new SocketTimeoutException("no complete reply to " + waitingFor + " within " + timeout.toMillis() + " ms");
    }

    private static boolean isDigits(String text) {
        return text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String abbreviate(String line) {
        return line.length() > 100 ? line.substring(0, 100) + "..." : line;
    }
}
