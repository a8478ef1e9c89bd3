package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * The bytes sent after DATA: line endings normalised to CRLF (a bare CR or LF becomes CRLF),
 * a leading '.' doubled (RFC 5321 4.5.2), a final CRLF added when missing, then ".CRLF".
 *
 * Built in one pass: the message is written straight through the normalising stream into one
 * unsynchronized buffer, which is what goes on the wire.
 */
public final class MessageContent {
    /** Room for dot-stuffing and bare line ends turned into CRLF, before the buffer has to grow. */
    private static final int SLACK = 256;
    /** First capacity for a message of unknown size (asking James's message for its size parses its headers). */
    private static final int INITIAL_CAPACITY = 16 * 1024;

    public static MessageContent of(byte[] message) {
        DataStream out = new DataStream(message.length + message.length / 50 + SLACK);
        out.write(message, 0, message.length);
        return out.finish();
    }

    /** The message as {@link MimeMessage#writeTo} gives it, normalised in the same pass. */
    public static MessageContent of(MimeMessage message) throws IOException, MessagingException {
        DataStream out = new DataStream(INITIAL_CAPACITY);
        message.writeTo(out);
        return out.finish();
    }

    private final byte[] bytes;
    private final int length;
    private final int size;

    private MessageContent(byte[] bytes, int length, int size) {
        this.bytes = bytes;
        this.length = length;
        this.size = size;
    }

    /** Writes what goes on the wire after the 354 reply, terminating ".CRLF" included. */
    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, length);
    }

    /** What goes on the wire after the 354 reply, terminating ".CRLF" included (a copy). */
    byte[] wireBytes() {
        return Arrays.copyOf(bytes, length);
    }

    /** The size announced with SIZE= (RFC 1870): the message as sent, without the terminator. */
    public int size() {
        return size;
    }

    /**
     * CRLF normalisation and dot-stuffing into a growable, unsynchronized buffer. A CR ends a line
     * at once; an LF right after it (in the same write or the next one) is then skipped.
     */
    private static final class DataStream extends OutputStream {
        private byte[] buffer;
        private int count;
        private boolean lineStart = true;
        private boolean afterCr;

        DataStream(int capacity) {
            buffer = new byte[capacity];
        }

        @Override
        public void write(int b) {
            ensureRoom(3);
            put((byte) b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            // At most two bytes out per byte in ("." -> "..", CR or LF -> CRLF).
            ensureRoom(2 * length + 3);
            int end = offset + length;
            int i = offset;
            while (i < end) {
                if (lineStart || afterCr) {
                    put(bytes[i++]);
                    continue;
                }
                // Inside a line: everything up to the next CR or LF goes out as it is.
                int lineEnd = i;
                while (lineEnd < end && bytes[lineEnd] != '\r' && bytes[lineEnd] != '\n') {
                    lineEnd++;
                }
                System.arraycopy(bytes, i, buffer, count, lineEnd - i);
                count += lineEnd - i;
                i = lineEnd;
                if (i < end) {
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

        private void ensureRoom(int room) {
            if (buffer.length - count < room) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + room));
            }
        }

        MessageContent finish() {
            ensureRoom(5);
            if (!lineStart) {
                buffer[count++] = '\r';
                buffer[count++] = '\n';
            }
            int size = count;
            buffer[count++] = '.';
            buffer[count++] = '\r';
            buffer[count++] = '\n';
            return new MessageContent(buffer, count, size);
        }
    }
}
