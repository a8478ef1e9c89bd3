package org.relaypack.delivery.smtp;

import java.io.ByteArrayOutputStream;

/**
 * The bytes sent after DATA: line endings normalised to CRLF (a bare CR or LF becomes CRLF),
 * a leading '.' doubled (RFC 5321 4.5.2), a final CRLF added when missing, then ".CRLF".
 */
public final class MessageContent {
    public static MessageContent of(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 50 + 5);
        boolean lineStart = true;
        int length = message.length;
        for (int i = 0; i < length; i++) {
            byte b = message[i];
            if (b == '\r' || b == '\n') {
                out.write('\r');
                out.write('\n');
                if (b == '\r' && i + 1 < length && message[i + 1] == '\n') {
                    i++;
                }
                lineStart = true;
                continue;
            }
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        int size = out.size();
        out.write('.');
        out.write('\r');
        out.write('\n');
        return new MessageContent(out.toByteArray(), size);
    }

    private final byte[] bytes;
    private final int size;

    private MessageContent(byte[] bytes, int size) {
        this.bytes = bytes;
        this.size = size;
    }

    /** What goes on the wire after the 354 reply, terminating ".CRLF" included. */
    byte[] wireBytes() {
        return bytes;
    }

    /** The size announced with SIZE= (RFC 1870): the message as sent, without the terminator. */
    public int size() {
        return size;
    }
}
