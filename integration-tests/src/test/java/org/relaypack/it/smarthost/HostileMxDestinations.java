package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;

/**
 * Issue 11's hostile internet behind one {@code type="mx"} hop: the smarthost sample's {@code internet}
 * hop (4 consumer threads) with every reply deadline set to one value, one healthy MX server and ten
 * hostile ones (127.0.0.2 to 127.0.0.11, same port) that drip their greeting and never finish it. MX
 * answers as James's dnsjava DNSService gives them (absolute names). Hostile destinations are domains
 * whose MX is one of the hostile servers: {@link #hostileDestinations(String)} names fresh ones, which
 * the hop has never seen (neither proven nor dead).
 */
final class HostileMxDestinations implements AutoCloseable {
    static final int HOSTILE_SERVERS = 10;
    static final String HEALTHY = "healthy.example";
    private static final String SENDER = "scanner@lan.example";

    private final SmtpPeer healthy;
    private final List<ScriptedSmtpPeer> hostile;
    private final RelayJames james;

    private HostileMxDestinations(SmtpPeer healthy, List<ScriptedSmtpPeer> hostile, RelayJames james) {
        this.healthy = healthy;
        this.hostile = hostile;
        this.james = james;
    }

    /** Starts the servers and James, the hop's deadlines (connect, read, data transfer) at {@code deadline}, e.g. "2s". */
    static HostileMxDestinations start(String deadline) throws Exception {
        SmtpPeer healthy = SmtpPeer.builder().start();
        int port = healthy.port();
        List<ScriptedSmtpPeer> hostile = new ArrayList<>();
        for (int i = 0; i < HOSTILE_SERVERS; i++) {
            hostile.add(ScriptedSmtpPeer.builder()
                .greeting("220 tarpit.example ESMTP slowly, very slowly, ever so slowly")
                .endlessGreeting(Duration.ofMillis(200))
                .bind(hostileAddress(i), port)
                .start());
        }
        RelayJames james = RelayJames.sample("smarthost")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\">", "name=\"internet\" type=\"mx\" port=\"" + port + "\">"
                + "<timeouts connect=\"" + deadline + "\" read=\"" + deadline + "\" dataTransfer=\"" + deadline + "\"/>"
                + "<lanes deadFor=\"10m\"/>")
            // The MX peers listen on loopback, which is otherwise this relay (a mail loop).
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>",
                "<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/><loopDetection allowLoopbackMx=\"true\"/>")
            // the partner hop's CA is not this story's
            .substitute("<truststore path=\"file://conf/partner-ca.p12\" type=\"PKCS12\" passwordFile=\"file://conf/partner-ca.secret\"/>", "")
            .start();
        HostileMxDestinations destinations = new HostileMxDestinations(healthy, ImmutableList.copyOf(hostile), james);
        destinations.register(HEALTHY, InetAddress.getByName("127.0.0.1"));
        return destinations;
    }

    private static InetAddress hostileAddress(int server) throws Exception {
        return InetAddress.getByName("127.0.0." + (server + 2));
    }

    /** Ten new destinations named after {@code tag}, the i-th one's MX being hostile server i. */
    List<String> hostileDestinations(String tag) throws Exception {
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < HOSTILE_SERVERS; i++) {
            String domain = "slow" + i + "-" + tag + ".example";
            register(domain, hostileAddress(i));
            domains.add(domain);
        }
        return domains;
    }

    private void register(String domain, InetAddress address) {
        String mx = "mx." + domain + ".";
        james.dns()
            .registerRecord(domain, ImmutableList.of(), ImmutableList.of(mx), ImmutableList.of())
            .registerRecord(mx, ImmutableList.of(address), ImmutableList.of(), ImmutableList.of())
            .registerRecord(mx.substring(0, mx.length() - 1), ImmutableList.of(address), ImmutableList.of(), ImmutableList.of());
    }

    /** Over one inbound connection, {@code mailsPerDestination} mails to each destination, interleaved. */
    void sendTo(List<String> domains, int mailsPerDestination, String subject) throws Exception {
        try (SmtpTestClient client = lanClient()) {
            for (int mail = 0; mail < mailsPerDestination; mail++) {
                for (String domain : domains) {
                    send(client, "user" + mail + "@" + domain, subject + " " + mail);
                }
            }
        }
    }

    /** Mails {@code first} to {@code first + count - 1} of the healthy destination, over one inbound connection. */
    void sendHealthy(int first, int count, String subject) throws Exception {
        try (SmtpTestClient client = lanClient()) {
            for (int i = first; i < first + count; i++) {
                send(client, "user" + i + "@" + HEALTHY, subject + " " + i);
            }
        }
    }

    private SmtpTestClient lanClient() throws Exception {
        SmtpTestClient client = SmtpTestClient.plain(james.port(25));
        client.greeting();
        client.ehlo("printer.lan.example");
        return client;
    }

    private static void send(SmtpTestClient client, String recipient, String subject) throws Exception {
        assertThat(client.send(SENDER, List.of(recipient), SmtpTestClient.message(SENDER, recipient, subject, "hello")).code())
            .as("James accepts the mail to %s", recipient)
            .isEqualTo(250);
    }

    SmtpPeer healthy() {
        return healthy;
    }

    List<ScriptedSmtpPeer> hostile() {
        return hostile;
    }

    /** Connections to the hostile servers that relaypack has not closed yet. */
    int hostileSessionsOpen() {
        return hostile.stream().mapToInt(ScriptedSmtpPeer::openSessions).sum();
    }

    /** relaypack's delivery threads of the hop that are in an SMTP session now. */
    static List<String> threadsInASession() {
        return Thread.getAllStackTraces().entrySet().stream()
            .filter(entry -> entry.getKey().getName().startsWith("relaypack-internet"))
            .filter(entry -> Arrays.stream(entry.getValue()).anyMatch(frame -> frame.getClassName().startsWith("org.relaypack.delivery.smtp.")))
            .map(Map.Entry::getKey)
            .map(Thread::getName)
            .collect(Collectors.toList());
    }

    @Override
    public void close() throws Exception {
        james.close();
        healthy.close();
        for (ScriptedSmtpPeer peer : hostile) {
            peer.close();
        }
    }
}
