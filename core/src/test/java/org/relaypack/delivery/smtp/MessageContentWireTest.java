package org.relaypack.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MessageContentWireTest {
    private static String wire(String message) {
        return new String(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)).wireBytes(), StandardCharsets.US_ASCII);
    }

    @Nested
    class FromBytes {
        @Test
        void wireBytesShouldKeepCrlfLinesAndAddTheTerminator() {
            assertThat(wire("Subject: a\r\n\r\nbody\r\n")).isEqualTo("Subject: a\r\n\r\nbody\r\n.\r\n");
        }

        @Test
        void wireBytesShouldTurnBareLfAndBareCrIntoCrlf() {
            assertThat(wire("a\nb\rc\r\n\nd")).isEqualTo("a\r\nb\r\nc\r\n\r\nd\r\n.\r\n");
        }

        @Test
        void wireBytesShouldTurnCrCrLfIntoTwoLines() {
            assertThat(wire("a\r\r\nb\r\n")).isEqualTo("a\r\n\r\nb\r\n.\r\n");
        }

        @Test
        void wireBytesShouldDoubleADotAtTheStartOfEveryLineOnly() {
            assertThat(wire(".a\r\nb.c\r\n.\r\n..\n.")).isEqualTo("..a\r\nb.c\r\n..\r\n...\r\n..\r\n.\r\n");
        }

        @Test
        void wireBytesOfAnEmptyMessageShouldBeTheTerminatorOnly() {
            assertThat(wire("")).isEqualTo(".\r\n");
        }

        @Test
        void aMessageLargerThanTheFirstBufferShouldArriveWhole() {
            StringBuilder message = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 5000; i++) {
                message.append(".line ").append(i).append('\n');
                expected.append("..line ").append(i).append("\r\n");
            }
            MessageContent testee = MessageContent.of(message.toString().getBytes(StandardCharsets.US_ASCII));

            assertThat(new String(testee.wireBytes(), StandardCharsets.US_ASCII)).isEqualTo(expected + ".\r\n");
            assertThat(testee.size()).isEqualTo(expected.length());
        }
    }

    @Nested
    class FromMimeMessage {
        private static final String MESSAGE = "From: a@lan.example\r\nTo: b@remote.example\r\nSubject: dots\r\n\r\n"
            + ".first\r\nmiddle\n.\r\nlast line without end";

        @Test
        void aMimeMessageShouldGiveTheSameBytesAsItsWrittenForm() throws Exception {
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new java.io.ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            message.writeTo(written);

            MessageContent testee = MessageContent.of(message, written.size());

            MessageContent expected = MessageContent.of(written.toByteArray());
            assertThat(testee.wireBytes()).isEqualTo(expected.wireBytes());
            assertThat(testee.size()).isEqualTo(written.size());
            assertThat(new String(testee.wireBytes(), StandardCharsets.US_ASCII))
                .endsWith("\r\n\r\n..first\r\nmiddle\r\n..\r\nlast line without end\r\n.\r\n");
        }

        @Test
        void jamesMessageShouldGiveTheSameBytesAsItsWrittenForm() throws Exception {
            MimeMessageWrapper message = new MimeMessageWrapper(new MimeMessage(Session.getInstance(new Properties()),
                new java.io.ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            message.writeTo(written);

            assertThat(MessageContent.of(message, 0).wireBytes()).isEqualTo(MessageContent.of(written.toByteArray()).wireBytes());
        }

        @Test
        void aCrAtTheEndOfOneWriteAndAnLfAtTheStartOfTheNextShouldMakeOneLineEnd() throws Exception {
            MimeMessage message = new ChunkedMessage("a\r", "\nb\r", "\r\n.c\n");

            assertThat(new String(MessageContent.of(message, 0).wireBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("a\r\nb\r\n\r\n..c\r\n.\r\n");
        }
    }

    @Nested
    class Streaming {
        @Test
        void theMessageShouldReachTheSocketWhileItIsStillBeingRead() throws Exception {
            ByteArrayOutputStream socket = new ByteArrayOutputStream();
            List<Integer> onTheWireAtEachPiece = new ArrayList<>();
            byte[] piece = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".repeat(1024).getBytes(StandardCharsets.US_ASCII);
            MessageContent testee = MessageContent.of(new MimeMessage(Session.getInstance(new Properties())) {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    for (int i = 0; i < 10; i++) {
                        onTheWireAtEachPiece.add(socket.size());
                        out.write(piece);
                    }
                }
            }, 10L * piece.length);

            testee.writeTo(socket);

            // each 64 KiB piece is on the wire, short of one bounded buffer, before the next is read
            for (int i = 1; i < 10; i++) {
                assertThat(onTheWireAtEachPiece.get(i)).isGreaterThan(i * piece.length - 16 * 1024);
            }
            assertThat(socket.size()).isEqualTo(10 * piece.length + 3);
        }

        @Test
        void aMessageThatCannotBeReadShouldFailWithoutTheTerminator() {
            ByteArrayOutputStream socket = new ByteArrayOutputStream();
            MessageContent testee = MessageContent.of(new MimeMessage(Session.getInstance(new Properties())) {
                @Override
                public void writeTo(OutputStream out) throws IOException, MessagingException {
                    out.write("Subject: half\r\n".getBytes(StandardCharsets.US_ASCII));
                    throw new MessagingException("blob store unavailable");
                }
            }, 100);

            assertThatThrownBy(() -> testee.writeTo(socket))
                .isInstanceOf(MessageContent.UnreadableMessageException.class)
                .hasMessageContaining("blob store unavailable");
            assertThat(socket.toString(StandardCharsets.US_ASCII)).doesNotContain(".\r\n");
        }

        @Test
        void aFailingSocketShouldBeReportedAsTheSocketsFailureEvenWhenTheMessageWrapsIt() {
            OutputStream brokenSocket = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("Broken pipe");
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    throw new IOException("Broken pipe");
                }
            };
            byte[] big = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            MessageContent testee = MessageContent.of(new MimeMessage(Session.getInstance(new Properties())) {
                @Override
                public void writeTo(OutputStream out) throws MessagingException {
                    try {
                        out.write(big);
                    } catch (IOException e) {
                        throw new MessagingException("wrapped", e);
                    }
                }
            }, big.length);

            assertThatThrownBy(() -> testee.writeTo(brokenSocket))
                .isInstanceOf(IOException.class)
                .hasMessage("Broken pipe");
        }
    }

    /** A message whose writeTo hands over its bytes in the given pieces, byte-at-a-time for the last. */
    private static final class ChunkedMessage extends MimeMessage {
        private final String[] pieces;

        ChunkedMessage(String... pieces) {
            super(Session.getInstance(new Properties()));
            this.pieces = pieces;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException, MessagingException {
            for (int i = 0; i < pieces.length; i++) {
                byte[] bytes = pieces[i].getBytes(StandardCharsets.US_ASCII);
                if (i == pieces.length - 1) {
                    for (byte b : bytes) {
                        out.write(b);
                    }
                } else {
                    out.write(bytes);
                }
            }
        }
    }
}
