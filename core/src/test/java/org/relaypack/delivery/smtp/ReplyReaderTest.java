package org.relaypack.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replies read over a real loopback connection, sent in pieces as a network delivers them. */
class ReplyReaderTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private ServerSocket server;
    private Socket client;
    private Socket peer;
    private OutputStream toClient;
    private ReplyReader testee;

    @BeforeEach
    void connect() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        peer = server.accept();
        toClient = peer.getOutputStream();
        testee = new ReplyReader(client);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
        server.close();
    }

    private void send(String text) throws IOException {
        toClient.write(text.getBytes(StandardCharsets.UTF_8));
        toClient.flush();
    }

    @Test
    void aReplyArrivingInPiecesShouldBeReadWhole() throws Exception {
        send("250-fir");
        Thread.sleep(50);
        send("st line\r\n250 sec");
        Thread.sleep(50);
        send("ond line\r\n");

        ServerReply reply = testee.read(DEADLINE, "EHLO");

        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.lines()).containsExactly("first line", "second line");
    }

    @Test
    void aLineLongerThanTheReadBufferShouldBeReadWhole() throws Exception {
        String text = "x".repeat(6000);
        send("220 " + text + "\r\n");

        assertThat(testee.read(DEADLINE, "the greeting").lines()).containsExactly(text);
    }

    @Test
    void aBareLfShouldEndALine() throws Exception {
        send("250 ok\n");

        assertThat(testee.read(DEADLINE, "MAIL FROM").lines()).containsExactly("ok");
    }

    @Test
    void anOverlongLineShouldFail() throws Exception {
        send("250 " + "x".repeat(ReplyReader.MAX_LINE_LENGTH + 10) + "\r\n");

        assertThatThrownBy(() -> testee.read(DEADLINE, "EHLO"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("reply line to EHLO longer than 8192 bytes");
    }

    @Test
    void tooManyLinesShouldFail() throws Exception {
        send("250-x\r\n".repeat(ReplyReader.MAX_LINES + 1) + "250 end\r\n");

        assertThatThrownBy(() -> testee.read(DEADLINE, "EHLO"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("reply to EHLO longer than 100 lines");
    }

    @Test
    void anIncompleteReplyShouldFailAtItsDeadline() throws Exception {
        send("250-first\r\n250");

        assertThatThrownBy(() -> testee.read(Duration.ofMillis(300), "RCPT TO"))
            .isInstanceOf(SocketTimeoutException.class)
            .hasMessageContaining("no complete reply to RCPT TO within 300 ms");
    }

    @Test
    void aChangingCodeShouldFail() throws Exception {
        send("250-first\r\n251 second\r\n");

        assertThatThrownBy(() -> testee.read(DEADLINE, "EHLO"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("reply code changed");
    }

    @Test
    void theServerClosingShouldFail() throws Exception {
        send("250-first\r\n");
        peer.close();

        assertThatThrownBy(() -> testee.read(DEADLINE, "DATA"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("connection closed by the server while waiting for the reply to DATA");
    }

    @Test
    void successiveRepliesShouldBeReadFromOneBuffer() throws Exception {
        send("250 one\r\n250 two\r\n354 three\r\n");

        assertThat(testee.read(DEADLINE, "MAIL FROM").lines()).containsExactly("one");
        assertThat(testee.read(DEADLINE, "RCPT TO").lines()).containsExactly("two");
        assertThat(testee.read(DEADLINE, "DATA").code()).isEqualTo(354);
    }
}
