package org.relaypack.it.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * docs/where-is-my-mail.md, run as written: the inbound-relay conf-sample on a real James 3.8.1,
 * mailbox server 2 down, a mail for alice (server1) and carol (server2); carol's copy waits, visible
 * with its attempts and next retry, the checks turn degraded; server2 comes back, the copy is
 * delivered, the queue is empty, the checks are healthy again.
 */
class WhereIsMyMailStoryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String WEBADMIN_IN_DOCS = "127.0.0.1:8000";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The delivery log lines, as a postmaster would read them in the log file. */
    static final class DeliveryLogLines extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }

        List<String> about(String recipient) {
            return lines.stream().filter(line -> line.contains("<" + recipient + ">")).collect(ImmutableList.toImmutableList());
        }
    }

    private static SmtpPeer server1;
    private static SmtpPeer server2;
    private static RelayJames james;
    private static DeliveryLogLines deliveryLog;

    @BeforeAll
    static void start() throws Exception {
        server1 = SmtpPeer.builder().start();
        server2 = SmtpPeer.builder().start();
        deliveryLog = new DeliveryLogLines();
        deliveryLog.start();
        ((Logger) LoggerFactory.getLogger("org.relaypack.delivery.DeliveryLog")).addAppender(deliveryLog);
        james = RelayJames.sample("inbound-relay")
            .substitute("[127.0.0.1]:11025", "[127.0.0.1]:" + server1.port())
            .substitute("[127.0.0.1]:12025", "[127.0.0.1]:" + server2.port())
            // The docs' example, without waiting ten minutes.
            .substitute("<health degradedAfter=\"10m\"/>", "<health degradedAfter=\"2s\"/>")
            .start();
        assertThat(Files.readString(james.confDir().resolve("relaypack.xml"))).contains("<health degradedAfter=\"2s\"/>");
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("org.relaypack.delivery.DeliveryLog")).detachAppender(deliveryLog);
        james.close();
        server1.close();
        server2.close();
    }

    @Test
    void aMailForADownServerShouldBeFoundWaitingDegradeTheChecksAndBeDeliveredWhenItIsBack() throws Exception {
        int server2Port = server2.port();
        server2.close();

        try (SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25))) {
            client.greeting();
            client.ehlo("mta.sender.example.org");
            assertThat(client.send("sender@sender.example.org", List.of("alice@example.com", "carol@example.com"),
                "From: sender@sender.example.org\r\nTo: alice@example.com, carol@example.com\r\nSubject: down\r\n\r\nHello\r\n").code())
                .isEqualTo(250);
        }

        // alice's copy leaves at once; carol's is deferred.
        await().atMost(DELIVERY).until(() -> server1.transactions().size() == 1);
        assertThat(server1.transactions().get(0).recipients()).containsExactly("alice@example.com");
        await().atMost(DELIVERY).until(() -> !deliveryLog.about("carol@example.com").isEmpty());
        assertThat(deliveryLog.about("alice@example.com")).singleElement().asString().contains("hop=server1", "status=sent (250");
        assertThat(deliveryLog.about("carol@example.com").get(0)).contains("from=<sender@sender.example.org>", "hop=server2",
            "relay=none", "attempt=1", "status=deferred (");

        List<String> curls = curlLines();
        assertThat(curls).hasSize(4);

        // Where is carol's mail: waiting for server2, attempted, with its next retry and last error
        // (not listed while an attempt has it out of the queue).
        await().atMost(DELIVERY).untilAsserted(() -> assertThat(curl(curls.get(0))).contains("\"attempts\":"));
        String mail = curl(curls.get(0));
        assertThat(mail).startsWith("[{\"name\":\"").contains("-server2-", "\"hop\":\"server2\"", "\"queue\":\"relaypack-server2\"",
            "\"sender\":\"sender@sender.example.org\"", "\"recipients\":[\"carol@example.com\"]", "\"acceptedAt\":\"2")
            .containsPattern("\"attempts\":[1-9]").contains("\"nextAttempt\":\"2")
            .containsPattern("\"lastError\":\"4\\d\\d ");
        assertThat(mail).as("one mail, and not alice's").doesNotContain("alice@example.com", "},{");
        String name = field(mail, "name");
        String received = name.substring(0, name.indexOf("-server2-"));
        assertThat(get("/relaypack/mail?name=" + received).body()).contains("\"name\":\"" + name + "\"");
        assertThat(get("/relaypack/mail?recipient=alice@example.com").body()).isEqualTo("[]");

        // How is server2: failing, its last error, a retry due, one mail queued.
        assertThat(curl(curls.get(1))).startsWith("{\"hop\":\"server2\",\"failing\":true,\"consecutiveFailures\":")
            .contains("\"lastSuccess\":null", "\"queueSize\":1,").containsPattern("\"lastError\":\"4\\d\\d ")
            .contains("\"nextRetry\":\"2");
        assertThat(get("/relaypack/hops/server9").statusCode()).isEqualTo(404);

        // Longer than degradedAfter: degraded, in the pack's per-hop checks and in James's /healthcheck.
        await().atMost(DELIVERY).untilAsserted(() -> assertThat(curl(curls.get(2))).startsWith("{\"status\":\"degraded\""));
        assertThat(curl(curls.get(2)))
            .contains("{\"componentName\":\"relaypack next hop server1\",\"escapedComponentName\":\"relaypack%20next%20hop%20server1\","
                + "\"status\":\"healthy\",\"cause\":null}")
            .contains("{\"componentName\":\"relaypack next hop server2\",\"escapedComponentName\":\"relaypack%20next%20hop%20server2\","
                + "\"status\":\"degraded\",\"cause\":\"next hop server2 failing for ");
        assertThat(curl(curls.get(3))).startsWith("{\"componentName\":\"relaypack next hops\",\"escapedComponentName\":\"relaypack%20next%20hops\","
            + "\"status\":\"degraded\",\"cause\":\"next hop server2 failing for ");
        HttpResponse<String> jamesChecks = get("/healthcheck");
        assertThat(jamesChecks.statusCode()).isEqualTo(200);
        assertThat(jamesChecks.body()).startsWith("{\"status\":\"degraded\"")
            .contains("\"componentName\":\"relaypack next hops\",\"escapedComponentName\":\"relaypack%20next%20hops\",\"status\":\"degraded\"");
        assertThat(server2.transactions()).isEmpty();

        // server2 comes back: delivered at the next retry.
        server2 = SmtpPeer.builder().start(server2Port);
        await().atMost(DELIVERY).until(() -> server2.transactions().size() == 1);
        assertThat(server2.transactions().get(0).recipients()).containsExactly("carol@example.com");
        assertThat(server1.transactions()).as("alice got her copy once, carol's never went to server1").hasSize(1);
        List<String> carolLines = deliveryLog.about("carol@example.com");
        assertThat(carolLines.get(carolLines.size() - 1)).contains("hop=server2", "status=sent (250");
        assertThat(carolLines.subList(0, carolLines.size() - 1)).allSatisfy(line -> assertThat(line).contains("status=deferred"));

        await().atMost(DELIVERY).untilAsserted(() -> assertThat(curl(curls.get(0))).isEqualTo("[]"));
        assertThat(curl(curls.get(1))).startsWith("{\"hop\":\"server2\",\"failing\":false,\"consecutiveFailures\":0,\"failingSince\":null,")
            .contains("\"lastSuccess\":\"2", "\"queueSize\":0,\"oldestMailAgeSeconds\":null}");
        assertThat(curl(curls.get(2))).startsWith("{\"status\":\"healthy\"").doesNotContain("degraded");
        assertThat(curl(curls.get(3))).isEqualTo("{\"componentName\":\"relaypack next hops\",\"escapedComponentName\":\"relaypack%20next%20hops\","
            + "\"status\":\"healthy\",\"cause\":null}");
        assertThat(get("/healthcheck").body()).contains("\"componentName\":\"relaypack next hops\","
            + "\"escapedComponentName\":\"relaypack%20next%20hops\",\"status\":\"healthy\"");
    }

    private static List<String> curlLines() throws Exception {
        return Files.readAllLines(RelayJames.projectRoot().resolve("docs/where-is-my-mail.md")).stream()
            .filter(line -> line.startsWith("curl "))
            .collect(ImmutableList.toImmutableList());
    }

    /** Runs a curl line of the docs as written, but for WebAdmin's port; with real curl when there is one. */
    private static String curl(String line) throws Exception {
        String local = line.replace(WEBADMIN_IN_DOCS, "127.0.0.1:" + james.webAdminPort());
        if (curlInstalled()) {
            Process curl = new ProcessBuilder("sh", "-c", local + " -S").redirectErrorStream(false).start();
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errors = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(line + " printed " + output + errors).isZero();
            return output;
        }
        Matcher url = Pattern.compile("^curl -s '([^']+)'$").matcher(local);
        assertThat(url.matches()).as("a GET curl line: " + line).isTrue();
        return HTTP.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean curlInstalled() {
        return Optional.ofNullable(System.getenv("PATH")).stream()
            .flatMap(path -> java.util.Arrays.stream(path.split(":")))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, "curl")));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + james.webAdminPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(matcher.find()).as(name + " in " + json).isTrue();
        return matcher.group(1);
    }
}
