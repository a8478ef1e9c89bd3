package org.relaypack.it.durability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

import org.relaypack.it.harness.JamesProcess;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;

/** What the crash stories share: the demo sample pointed at the test's peers, and a client that counts 250s. */
final class CrashStory {
    /** The demo's hops, as the sample names them. */
    static final String UPSTREAM = "[127.0.0.1]:10025";
    static final String MAILBOX1 = "[127.0.0.1]:11025";
    static final String MAILBOX2 = "[127.0.0.1]:12025";
    static final String SHIPPED_RETRY = "<retry delays=\"2s, 10s\" maxAttempts=\"5\"/>";
    /**
     * Retries every 15 s, and enough of them that no mail bounces while a story keeps its hop down
     * (the demo's 5 quick attempts would turn a long outage into DSNs).
     */
    static final String STORY_RETRY = "<retry delays=\"2s, 15s\" maxAttempts=\"200\"/>";
    /** The demo's upstream hop's concurrent deliveries (relaypack.xml: the default concurrency). */
    static final int DEMO_HOP_CONCURRENCY = 4;
    /** The demo's spool threads (mailetcontainer.xml) plus its upstream hop's concurrent deliveries. */
    static final int DEMO_TRANSACTIONS_IN_FLIGHT = 20 + DEMO_HOP_CONCURRENCY;

    private CrashStory() {
    }

    static JamesProcess demo(Path base, QueueChoice queue) throws IOException {
        return JamesProcess.of("demo", base, queue)
            .edit("relaypack.xml", SHIPPED_RETRY, STORY_RETRY);
    }

    static String newMessageId() {
        return "<" + UUID.randomUUID() + "@crash.relaypack.test>";
    }

    static String message(String messageId, String to) {
        return "From: alice@lan.example\r\nTo: " + to + "\r\nSubject: crash story " + messageId
            + "\r\nMessage-ID: " + messageId + "\r\n\r\nIt got its 250: it must arrive, once.\r\n";
    }

    /** Sends {@code count} mails over one connection; returns the Message-IDs that got their 250. */
    static List<String> sendAll(int port, int count, String to) throws IOException {
        ImmutableList.Builder<String> accepted = ImmutableList.builder();
        try (SmtpTestClient client = SmtpTestClient.plain(port)) {
            client.greeting();
            client.ehlo("lan-host");
            for (int i = 0; i < count; i++) {
                String id = newMessageId();
                SmtpTestClient.Reply reply = client.send("alice@lan.example", ImmutableList.of(to), message(id, to));
                if (reply.code() != 250) {
                    throw new IllegalStateException("Mail " + i + " refused: " + reply);
                }
                accepted.add(id);
            }
        }
        return accepted.build();
    }

    /** What the engine logs for each copy of a mail whose recipients its delivered ledger has as delivered. */
    static final String DUPLICATE_DROPPED = "already delivered, duplicate copy dropped";

    /** Scales a story: -Drelaypack.crash.mails=N runs it with N mails. */
    static int mails(int byDefault) {
        return Integer.getInteger("relaypack.crash.mails", byDefault);
    }

    /** One line per story outcome, for docs/durability.md. */
    static void report(String line) throws IOException {
        Path file = Paths.get("target", "durability-results.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        org.slf4j.LoggerFactory.getLogger(CrashStory.class).info("durability: {}", line);
    }
}
