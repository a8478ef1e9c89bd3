package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * CRLF normalisation and dot-stuffing (RFC 5321 4.5.2) on the way to the socket, through a
 * bounded buffer. A CR ends a line at once; an LF right after it (in the same write or the next
 * one) is then skipped. Not thread-safe: one per transaction.
 */
final class DotStuffingStream extends OutputStream {
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final byte[] TERMINATOR = {'.', '\r', '\n'};

    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int count;
    private boolean lineStart = true;
    private boolean afterCr;

    DotStuffingStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        ensureRoom(3);
        put((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            ensureRoom(3);
            if (lineStart || afterCr) {
                put(bytes[i++]);
                continue;
            }
            // Inside a line: everything up to the next CR or LF goes out as it is, as far as the buffer holds.
            int lineEnd = i;
            int room = buffer.length - count - 2;
            while (lineEnd < end && lineEnd - i < room && bytes[lineEnd] != '\r' && bytes[lineEnd] != '\n') {
                lineEnd++;
            }
            System.arraycopy(bytes, i, buffer, count, lineEnd - i);
            count += lineEnd - i;
            i = lineEnd;
            if (i < end && (bytes[i] == '\r' || bytes[i] == '\n')) {
                put(bytes[i++]);
            }
        }
    }

    private void put(byte b) {
        if (afterCr) {
            afterCr = false;
            if (b == '\n') {
                return;
            }
        }
        if (b == '\r' || b == '\n') {
            buffer[count++] = '\r';
            buffer[count++] = '\n';
            lineStart = true;
            afterCr = b == '\r';
            return;
        }
        if (lineStart && b == '.') {
            buffer[count++] = '.';
        }
        buffer[count++] = b;
        lineStart = false;
    }

    private void ensureRoom(int room) throws IOException {
        if (buffer.length - count < room) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }

    /** Ends the last line if needed, then (when asked) writes the terminator; hands everything on. */
    void finish(boolean terminate) throws IOException {
        ensureRoom(5);
        if (!lineStart) {
            buffer[count++] = '\r';
            buffer[count++] = '\n';
            lineStart = true;
        }
        if (terminate) {
            System.arraycopy(TERMINATOR, 0, buffer, count, TERMINATOR.length);
            count += TERMINATOR.length;
        }
        drain();
    }
}
