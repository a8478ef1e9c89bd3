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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "REUSED,          r1-smarthost-reused, r1-smarthost",
        "NEW_PER_MESSAGE, r1-smarthost,        r1-smarthost-reused"})
    void sendShouldDeliverEveryMessageOnceOverTheConnectionsOfItsMode(InboundMode mode, String phase, String otherPhase) throws Exception {
        LoadGenerator testee = new LoadGenerator(sink.port(), SESSIONS, 1024, mode);

        LoadGenerator.Result result = testee.send(phase, MESSAGES);

        assertThat(result.accepted).isEqualTo(MESSAGES);
        assertThat(result.failed).isZero();
        assertThat(result.errors).isEmpty();
        assertThat(sink.phase(phase).distinct()).isEqualTo(MESSAGES);
        assertThat(sink.phase(phase).duplicates()).isZero();
        assertThat(sink.phase(otherPhase).distinct()).as("the other mode's phase of the same round").isZero();
        assertThat(sink.transactions()).isEqualTo(MESSAGES);
        assertThat(sink.connections()).as("connections: one per session when reused, else one per message")
            .isEqualTo(mode == InboundMode.REUSED ? SESSIONS : MESSAGES);
    }

    @Nested
    class Reused {
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

    /**
     * Forwards connections to the sink line by line; on the first connection only, it hangs up on
     * the client when the client sends its {@code cutAtMail}-th MAIL (that MAIL never reaches the sink).
     */
    private static final class CuttingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final int cutAtMail;

        static CuttingProxy start(int target, int cutAtMail) throws IOException {
            CuttingProxy proxy = new CuttingProxy(target, cutAtMail);
            daemon("proxy-acceptor", proxy::acceptLoop);
            return proxy;
        }

        private CuttingProxy(int target, int cutAtMail) throws IOException {
            this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            this.target = target;
            this.cutAtMail = cutAtMail;
        }

        private static void daemon(String name, Runnable task) {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
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
                    daemon("proxy-session", () -> forward(client, cut));
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            }
        }

        private void forward(Socket client, boolean cut) {
            try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
                daemon("proxy-replies", () -> copy(upstream, client));
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
