package org.relaypack.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

            MessageContent testee = MessageContent.of(message);

            MessageContent expected = MessageContent.of(written.toByteArray());
            assertThat(testee.wireBytes()).isEqualTo(expected.wireBytes());
            assertThat(testee.size()).isEqualTo(expected.size());
            assertThat(new String(testee.wireBytes(), StandardCharsets.US_ASCII))
                .endsWith("\r\n\r\n..first\r\nmiddle\r\n..\r\nlast line without end\r\n.\r\n");
        }

        @Test
        void jamesMessageShouldGiveTheSameBytesAsItsWrittenForm() throws Exception {
            MimeMessageWrapper message = new MimeMessageWrapper(new MimeMessage(Session.getInstance(new Properties()),
                new java.io.ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            message.writeTo(written);

            assertThat(MessageContent.of(message).wireBytes()).isEqualTo(MessageContent.of(written.toByteArray()).wireBytes());
        }

        @Test
        void aCrAtTheEndOfOneWriteAndAnLfAtTheStartOfTheNextShouldMakeOneLineEnd() throws Exception {
            MimeMessage message = new ChunkedMessage("a\r", "\nb\r", "\r\n.c\n");

            assertThat(new String(MessageContent.of(message).wireBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("a\r\nb\r\n\r\n..c\r\n.\r\n");
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
