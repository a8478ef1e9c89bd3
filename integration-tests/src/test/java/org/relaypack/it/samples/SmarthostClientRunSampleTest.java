package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.LoopingMail;
import org.relaypack.testing.SmtpTestClient;

/**
 * {@code ./relaypack run smarthost-client}: stand-ins for the provider's 587 relay (STARTTLS required,
 * AUTH) and its 465 fallback (implicit TLS, AUTH), certificates of the run's CA. The summary's mail
 * reaches the 587 stand-in; a DSN for a local-domain address without a mailbox stays local.
 */
class SmarthostClientRunSampleTest {
    /** WebAdmin's id of memory://var/mail/address-error/ (the path, URL-encoded). */
    private static final String ADDRESS_ERROR = "var/mail/address-error";

    @RegisterExtension
    static final RunCommand run = RunCommand.of("smarthost-client");

    @Test
    void mailSentAsTheSummarySuggestsShouldReachTheProviderStandIn() throws Exception {
        assertThat(run.summary()).anySatisfy(line -> assertThat(line).startsWith("SMTP 25"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in provider ").contains("STARTTLS required, AUTH as relay@lan.example"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in provider465").contains("implicit TLS, AUTH as relay@lan.example"));

        run.walkTheSummary();

        assertThat(run.subjects("provider465", "bob@remote.example")).isEmpty();
    }

    @Test
    void aDsnForALocalDomainAddressWithoutMailboxShouldStayLocal() throws Exception {
        // A LAN host's looping mail from a made-up local sender: HopLimit bounces it, and the DSN is for
        // ghost@lan.example, a local domain without such a mailbox.
        try (SmtpTestClient client = SmtpTestClient.plain(run.port("listener.25"))) {
            client.greeting();
            client.ehlo("lan-host");
            assertThat(client.send("ghost@lan.example", List.of("loop@remote.example"), LoopingMail.withHeaders("")).code()).isEqualTo(250);
        }

        // The DSN is kept in James's address-error repository (HostIsLocal -> local-address-error)...
        await().atMost(Duration.ofSeconds(60)).until(() -> addressErrors().startsWith("[\""));
        // ...and was not handed to the provider.
        assertThat(run.subjects("provider", "ghost@lan.example")).isEmpty();
        assertThat(run.subjects("provider", "loop@remote.example")).isEmpty();
    }

    private static String addressErrors() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + run.port("listener.8000") + "/mailRepositories/"
            + URLEncoder.encode(ADDRESS_ERROR, StandardCharsets.UTF_8) + "/mails");
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }
}
