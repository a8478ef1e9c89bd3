package org.relaypack.testing;

import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.Multiset;

/**
 * An SMTP server of the test on a fixed loopback port that can go down (the port refuses
 * connections) and come up again, keeping what every one of its lives received: the next hop
 * of a crash story, which must outlive the James under test.
 */
public final class RestartablePeer implements AutoCloseable {
    private final int port;
    private final List<SmtpPeer> lives = new ArrayList<>();
    private SmtpPeer current;

    private RestartablePeer(int port) {
        this.port = port;
    }

    /** Reserves a free port and stays down. */
    public static RestartablePeer down() {
        return new RestartablePeer(LoopbackPorts.free());
    }

    public int port() {
        return port;
    }

    public synchronized RestartablePeer up() {
        if (current == null) {
            current = SmtpPeer.builder().start(port);
            lives.add(current);
        }
        return this;
    }

    public synchronized RestartablePeer goDown() {
        if (current != null) {
            current.close();
            current = null;
        }
        return this;
    }

    public synchronized List<SmtpPeer.Transaction> transactions() {
        ImmutableList.Builder<SmtpPeer.Transaction> all = ImmutableList.builder();
        lives.forEach(life -> all.addAll(life.transactions()));
        return all.build();
    }

    /** How many times each Message-ID arrived (a transaction with several recipients counts once). */
    public Multiset<String> messageIds() {
        Multiset<String> ids = HashMultiset.create();
        for (SmtpPeer.Transaction transaction : transactions()) {
            try {
                ids.add(String.valueOf(transaction.message().getMessageID()));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return ids;
    }

    @Override
    public synchronized void close() {
        goDown();
    }
}
