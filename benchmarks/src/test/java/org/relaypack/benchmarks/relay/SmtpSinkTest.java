package org.relaypack.benchmarks.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sink's counts are what a benchmark run is judged by: exact per phase, duplicates apart. */
class SmtpSinkTest {
    private SmtpSink testee;

    @BeforeEach
    void start() throws Exception {
        testee = SmtpSink.start();
    }

    @AfterEach
    void stop() throws Exception {
        testee.close();
    }

    @Test
    void pipelinedTransactionsShouldBeAnsweredInOrderAndCountedPerPhase() throws Exception {
        List<String> replies = session("EHLO relay\r\n"
            + "MAIL FROM:<a@lan.example>\r\nRCPT TO:<b@remote.example>\r\nRCPT TO:<c@remote.example>\r\nDATA\r\n"
            + message("r1-smarthost.0") + "MAIL FROM:<a@lan.example>\r\nRCPT TO:<b@remote.example>\r\nDATA\r\n"
            + message("r1-smarthost.1") + "MAIL FROM:<a@lan.example>\r\nRCPT TO:<b@remote.example>\r\nDATA\r\n"
            + message("r1-null.0") + "QUIT\r\n");

        assertThat(replies).containsExactly(
            "220 sink.relaypack.bench ESMTP benchmark sink",
            "250-sink.relaypack.bench", "250-PIPELINING", "250-8BITMIME", "250 ENHANCEDSTATUSCODES",
            "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued",
            "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued",
            "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued",
            "221 2.0.0 Bye");
        assertThat(testee.phase("r1-smarthost").distinct()).isEqualTo(2);
        assertThat(testee.phase("r1-null").distinct()).isEqualTo(1);
        assertThat(testee.phase("r2-smarthost").distinct()).isZero();
        assertThat(testee.transactions()).isEqualTo(3);
        assertThat(testee.recipients()).isEqualTo(4);
        assertThat(testee.connections()).isEqualTo(1);
    }

    @Test
    void aMessageReceivedTwiceShouldBeCountedOnceAndAsADuplicate() throws Exception {
        String transaction = "MAIL FROM:<a@lan.example>\r\nRCPT TO:<b@remote.example>\r\nDATA\r\n" + message("r1-remote-delivery.7");
        session("EHLO relay\r\n" + transaction + "QUIT\r\n");
        session("EHLO relay\r\n" + transaction + "QUIT\r\n");

        assertThat(testee.phase("r1-remote-delivery").distinct()).isEqualTo(1);
        assertThat(testee.phase("r1-remote-delivery").duplicates()).isEqualTo(1);
        assertThat(testee.connections()).isEqualTo(2);
    }

    @Test
    void aMessageIdInTheBodyShouldNotCountAndAMessageWithoutOneShouldBeCountedApart() throws Exception {
        session("EHLO relay\r\nMAIL FROM:<a@lan.example>\r\nRCPT TO:<b@remote.example>\r\nDATA\r\n"
            + "Subject: no id\r\n\r\nMessage-ID: <r1-smarthost.3@relaypack.bench>\r\n.\r\nQUIT\r\n");

        assertThat(testee.phase("r1-smarthost").distinct()).isZero();
        assertThat(testee.withoutBenchmarkId()).isEqualTo(1);
        assertThat(testee.transactions()).isEqualTo(1);
    }

    @Test
    void dataWithoutRecipientShouldBeRefused() throws Exception {
        List<String> replies = session("HELO relay\r\nDATA\r\nMAIL FROM:<>\r\nDATA\r\nQUIT\r\n");

        assertThat(replies).containsExactly("220 sink.relaypack.bench ESMTP benchmark sink", "250 2.0.0 Ok",
            "503 5.5.1 Bad sequence of commands", "250 2.1.0 Ok", "503 5.5.1 Bad sequence of commands", "221 2.0.0 Bye");
        assertThat(testee.transactions()).isZero();
    }

    private static String message(String id) {
        return "Message-ID: <" + id + "@relaypack.bench>\r\nSubject: x\r\n\r\nbody\r\n.\r\n";
    }

    /** Writes everything at once (the sink must cope with a pipelining client), then reads replies until the sink closes. */
    private List<String> session(String commands) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), testee.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(commands.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            List<String> replies = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                replies.add(line);
            }
            return replies;
        }
    }
}
