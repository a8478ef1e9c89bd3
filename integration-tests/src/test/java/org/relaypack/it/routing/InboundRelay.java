package org.relaypack.it.routing;

import java.net.InetAddress;
import java.util.function.UnaryOperator;

import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

/**
 * conf-samples/inbound-relay on a real James 3.8.1, with the changes a story makes to it, and two real
 * SMTP servers standing for its mailbox servers server1 and server2; the internet is a client on 127.0.0.2.
 */
final class InboundRelay implements AutoCloseable {
    private final SmtpPeer server1;
    private final int server2Port;
    private final RelayJames james;
    private volatile SmtpPeer server2;

    static InboundRelay start(UnaryOperator<RelayJames.Builder> changes) throws Exception {
        SmtpPeer server1 = SmtpPeer.builder().start();
        SmtpPeer server2 = SmtpPeer.builder().start();
        RelayJames james = changes.apply(RelayJames.sample("inbound-relay")
                .substitute("[127.0.0.1]:11025", "[127.0.0.1]:" + server1.port())
                .substitute("[127.0.0.1]:12025", "[127.0.0.1]:" + server2.port()))
            .start();
        return new InboundRelay(server1, server2, james);
    }

    private InboundRelay(SmtpPeer server1, SmtpPeer server2, RelayJames james) {
        this.server1 = server1;
        this.server2 = server2;
        this.server2Port = server2.port();
        this.james = james;
    }

    RelayJames james() {
        return james;
    }

    SmtpPeer server1() {
        return server1;
    }

    SmtpPeer server2() {
        return server2;
    }

    /** Server2 goes down: its port refuses connections. */
    void stopServer2() {
        server2.close();
    }

    /** Server2 comes back on its port, having received nothing in this life. */
    void restartServer2() {
        server2 = SmtpPeer.builder().start(server2Port);
    }

    /** Both mailbox servers forget what they received. */
    void clear() {
        server1.clear();
        server2.clear();
    }

    /** A session from an internet MTA on 127.0.0.2, greeted and past EHLO. */
    SmtpTestClient fromTheInternet() throws Exception {
        SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25));
        client.greeting();
        client.ehlo("mta.sender.example.org");
        return client;
    }

    @Override
    public void close() {
        james.close();
        server1.close();
        server2.close();
    }
}
