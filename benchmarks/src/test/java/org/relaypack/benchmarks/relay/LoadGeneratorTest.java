package org.relaypack.benchmarks.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The load generator against the benchmark's own sink, over real sockets: how many connections each
 * inbound mode opens is what tells the two loads apart, and every message must arrive once.
 */
class LoadGeneratorTest {
    private static final int SESSIONS = 4;
    private static final int MESSAGES = 50;

    private SmtpSink sink;

    @BeforeEach
    void startSink() throws Exception {
        sink = SmtpSink.start();
    }

    @AfterEach
    void stopSink() throws Exception {
        sink.close();
    }

    @Nested
    class Reused {
        @Test
        void sendShouldDeliverEveryMessageOnceOverOneConnectionPerSession() throws Exception {
            LoadGenerator testee = new LoadGenerator(sink.port(), SESSIONS, 1024, InboundMode.REUSED);

            LoadGenerator.Result result = testee.send("r1-smarthost-reused", MESSAGES);

            assertThat(result.accepted).isEqualTo(MESSAGES);
            assertThat(result.failed).isZero();
            assertThat(result.errors).isEmpty();
            assertThat(sink.phase("r1-smarthost-reused").distinct()).isEqualTo(MESSAGES);
            assertThat(sink.phase("r1-smarthost-reused").duplicates()).isZero();
            assertThat(sink.phase("r1-smarthost").distinct()).as("the new-connection phase of the same round").isZero();
            assertThat(sink.transactions()).isEqualTo(MESSAGES);
            assertThat(sink.connections()).as("connections: one per session, not one per message").isEqualTo(SESSIONS);
        }

        @Test
        void sendShouldCountAMessageCutOffAsFailedAndReconnectForTheNext() throws Exception {
            try (CuttingProxy proxy = CuttingProxy.start(sink.port(), 3)) {
                LoadGenerator testee = new LoadGenerator(proxy.port(), 1, 1024, InboundMode.REUSED);

                LoadGenerator.Result result = testee.send("r1-remote-delivery-reused", 10);

                assertThat(result.accepted).isEqualTo(9);
                assertThat(result.failed).isEqualTo(1);
                assertThat(result.errors).singleElement().asString().startsWith("r1-remote-delivery-reused.2: ");
                assertThat(sink.phase("r1-remote-delivery-reused").distinct()).isEqualTo(9);
                assertThat(sink.phase("r1-remote-delivery-reused").duplicates()).isZero();
                assertThat(sink.connections()).as("the connection cut off, then its replacement").isEqualTo(2);
            }
        }

        @Test
        void sendShouldNotOpenMoreSessionsThanMessages() throws Exception {
            LoadGenerator testee = new LoadGenerator(sink.port(), SESSIONS, 1024, InboundMode.REUSED);

            LoadGenerator.Result result = testee.send("r2-null-reused", 2);

            assertThat(result.accepted).isEqualTo(2);
            assertThat(sink.connections()).isEqualTo(2);
        }
    }

    @Nested
    class NewPerMessage {
        @Test
        void sendShouldDeliverEveryMessageOnceOverOneConnectionPerMessage() throws Exception {
            LoadGenerator testee = new LoadGenerator(sink.port(), SESSIONS, 1024, InboundMode.NEW_PER_MESSAGE);

            LoadGenerator.Result result = testee.send("r1-smarthost", MESSAGES);

            assertThat(result.accepted).isEqualTo(MESSAGES);
            assertThat(result.failed).isZero();
            assertThat(sink.phase("r1-smarthost").distinct()).isEqualTo(MESSAGES);
            assertThat(sink.phase("r1-smarthost").duplicates()).isZero();
            assertThat(sink.phase("r1-smarthost-reused").distinct()).isZero();
            assertThat(sink.connections()).isEqualTo(MESSAGES);
        }
    }

    /**
     * Forwards connections to the sink line by line; on the first connection only, it hangs up on
     * the client when the client sends its {@code cutAtMail}-th MAIL (that MAIL never reaches the sink).
     */
    private static final class CuttingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final int cutAtMail;

        private CuttingProxy(ServerSocket server, int target, int cutAtMail) {
            this.server = server;
            this.target = target;
            this.cutAtMail = cutAtMail;
        }

        static CuttingProxy start(int target, int cutAtMail) throws IOException {
            CuttingProxy proxy = new CuttingProxy(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()), target, cutAtMail);
            Thread acceptor = new Thread(proxy::acceptLoop, "proxy-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            boolean first = true;
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    boolean cut = first;
                    first = false;
                    Thread forwarder = new Thread(() -> forward(client, cut), "proxy-session");
                    forwarder.setDaemon(true);
                    forwarder.start();
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            }
        }

        private void forward(Socket client, boolean cut) {
            try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
                Thread replies = new Thread(() -> copy(upstream, client), "proxy-replies");
                replies.setDaemon(true);
                replies.start();
                BufferedReader commands = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream toSink = upstream.getOutputStream();
                int mails = 0;
                for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                    if (line.startsWith("MAIL") && ++mails == cutAtMail && cut) {
                        return;
                    }
                    toSink.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    toSink.flush();
                }
            } catch (IOException e) {
                // One side went away: the session is over.
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away: the session is over.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
