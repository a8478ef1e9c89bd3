package org.relaypack.delivery.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
/**
 * The bytes sent after DATA: line endings normalised to CRLF (a bare CR or LF becomes CRLF),
 * a leading '.' doubled (RFC 5321 4.5.2), a final CRLF added when missing, then ".CRLF".
 *
 * Streamed: each transaction writes the message from its source straight through the
 * normalising filter to the socket's buffer; the message is never held whole.
 */
public final class MessageContent {
    /** Where the message comes from; written once per transaction. */
    public interface Source {
        void writeTo(OutputStream out) throws IOException, MessagingException;
    }

    /** Reading the message failed (not the connection): nothing can be delivered now. */
    public static final class UnreadableMessageException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableMessageException(Exception cause) {
            super("cannot read the message: " + cause, cause);
        }
    }

    /** A message in memory: its size is exact. */
    public static MessageContent of(byte[] message) {
        Source source = out -> out.write(message);
        return new MessageContent(source, exactSize(source));
    }

    /**
     * James's message, streamed by {@link MimeMessage#writeTo} at each transaction.
     *
     * @param size what SIZE= announces (RFC 1870 allows an estimate): James's message size
     */
    public static MessageContent of(MimeMessage message, long size) {
        return new MessageContent(message::writeTo, size);
    }

    private static long exactSize(Source source) {
        CountingSink sink = new CountingSink();
        DotStuffingStream stream = new DotStuffingStream(sink);
        try {
            source.writeTo(stream);
            stream.finish(false);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("an in-memory message cannot fail to be read", e);
        }
        return sink.count;
    }

    private final Source source;
    private final long size;

    private MessageContent(Source source, long size) {
        this.source = source;
        this.size = size;
    }

    /**
     * Writes what goes on the wire after the 354 reply, terminating ".CRLF" included.
     *
     * @throws IOException from {@code out} only (the connection)
     * @throws UnreadableMessageException when the message itself could not be read: the
     *         terminator was not sent, the caller must drop the connection
     */
    void writeTo(OutputStream out) throws IOException, UnreadableMessageException {
        TrackingStream tracking = new TrackingStream(out);
        DotStuffingStream stream = new DotStuffingStream(tracking);
        try {
            source.writeTo(stream);
        } catch (WireFailure e) {
            throw e.wire;
        } catch (IOException | MessagingException | RuntimeException e) {
            if (tracking.failure != null) {
                throw tracking.failure;
            }
            throw new UnreadableMessageException(e);
        }
        stream.finish(true);
    }

    /** What goes on the wire after the 354 reply, terminating ".CRLF" included (for tests). */
    byte[] wireBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException | UnreadableMessageException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The size announced with SIZE= (RFC 1870). */
    public long size() {
        return size;
    }

    /** Tells the connection's failures apart from the message's own (a source may wrap what it catches). */
    private static final class TrackingStream extends OutputStream {
        private final OutputStream out;
        private IOException failure;

        private TrackingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
                throw new WireFailure(e);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                throw new WireFailure(e);
            }
        }
    }

    private static final class WireFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final IOException wire;

        private WireFailure(IOException wire) {
            super(wire);
            this.wire = wire;
        }
    }

    private static final class CountingSink extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }
}
