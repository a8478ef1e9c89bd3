package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;
import static org.relaypack.testing.WebAdminServers.assertAnswer;

import org.relaypack.testing.Addresses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.testing.WebAdminServers;

import spark.Service;

class MailboxRoutesWebAdminRoutesTest {
    static final MailAddress ALICE = address("alice@example.com");
    static final MailAddress ERIN = address("erin@example.com");

    @TempDir
    static Path folder;
    static Path routes;
    static FileRouteSource file;
    static SwitchableRouteSource ldap;
    static RouteDirectory directory;
    static Service service;
    static HttpClient http;

    static Service start(RouteDirectory directory) {
        return WebAdminServers.serve(new MailboxRoutesWebAdminRoutes(directory, new JsonTransformer()));
    }

    @BeforeAll
    static void startWebAdmin() throws Exception {
        routes = folder.resolve("routes.txt");
        Files.write(routes, List.of());
        file = FileRouteSource.load(routes, Duration.ZERO);
        ldap = SwitchableRouteSource.named("ldap");
        directory = RouteDirectory.of(List.of(Domain.of("example.com")), List.of("mx1.example.com"), List.of(ldap, file),
            KnownHops.of(List.of("server1", "server2", "server3", "server4", "server5")), new RecordingMetricFactory());
        service = start(directory);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stopWebAdmin() {
        service.stop();
        service.awaitStop();
        file.close();
    }

    @BeforeEach
    void resetRoutes() throws Exception {
        ldap.down(false);
        FileTime previous = Files.getLastModifiedTime(routes);
        Files.write(routes, List.of("# routes", "alice@example.com server1", "@example.com server2"));
        Files.setLastModifiedTime(routes, FileTime.from(previous.toInstant().plusSeconds(1)));
        assertThat(file.reloadIfChanged()).isTrue();
    }

    static HttpResponse<String> send(Service spark, String method, String path, String body) throws Exception {
        return send(spark, method, path, body, "application/json");
    }

    static HttpResponse<String> send(Service spark, String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spark.port() + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(service, method, path, body);
    }

    @Nested
    class FileRoutes {
        @Test
        void listShouldReturnTheRoutesOfTheFile() throws Exception {
            assertAnswer(send("GET", "/relaypack/routes", null), 200).isEqualTo("[{\"key\":\"@example.com\",\"hop\":\"server2\",\"rewrittenRecipient\":null},"
                + "{\"key\":\"alice@example.com\",\"hop\":\"server1\",\"rewrittenRecipient\":null}]");
        }

        @Test
        void getShouldReturnOneRoute() throws Exception {
            assertAnswer(send("GET", "/relaypack/routes/Alice@example.com", null), 200).isEqualTo("{\"key\":\"alice@example.com\",\"hop\":\"server1\",\"rewrittenRecipient\":null}");
        }

        @Test
        void getShouldAnswer404ForAKeyWithoutRoute() throws Exception {
            assertAnswer(send("GET", "/relaypack/routes/bob@example.com", null), 404).contains("\"type\":\"notFound\"").contains("bob@example.com");
        }

        @Test
        void putShouldAddTheRouteToTheFileAndToTheLiveTable() throws Exception {
            HttpResponse<String> response = send("PUT", "/relaypack/routes/erin@example.com",
                "{\"hop\":\"server3\",\"rewrittenRecipient\":\"erin@mbox3.example.com\"}");

            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(directory.lookup(ERIN).route())
                .contains(Route.to("server3", address("erin@mbox3.example.com")));
            assertThat(Files.readAllLines(routes)).containsExactly("# routes", "alice@example.com server1", "@example.com server2",
                "erin@example.com server3 erin@mbox3.example.com");
        }

        @Test
        void putShouldReplaceAnExistingRoute() throws Exception {
            assertThat(send("PUT", "/relaypack/routes/alice@example.com", "{\"hop\":\"server4\"}").statusCode()).isEqualTo(204);

            assertThat(directory.lookup(ALICE).route()).contains(Route.to("server4"));
        }

        @Test
        void putShouldAcceptTheDefaultKey() throws Exception {
            assertThat(send("PUT", "/relaypack/routes/*", "{\"hop\":\"server5\"}").statusCode()).isEqualTo(204);

            assertThat(file.table().get("*")).contains(Route.to("server5"));
        }

        @Test
        void putShouldRejectABadHopAndLeaveTheFileAlone() throws Exception {
            assertAnswer(send("PUT", "/relaypack/routes/erin@example.com", "{\"hop\":\"server 3\"}"), 400).contains("InvalidArgument").contains("server 3");
            assertThat(Files.readAllLines(routes)).hasSize(3);
        }

        @Test
        void putShouldRejectABadKey() throws Exception {
            assertThat(send("PUT", "/relaypack/routes/erin@", "{\"hop\":\"server3\"}").statusCode()).isEqualTo(400);
        }

        @Test
        void putShouldRejectABodyWithoutHop() throws Exception {
            assertThat(send("PUT", "/relaypack/routes/erin@example.com", "{\"rewrittenRecipient\":\"e@example.net\"}").statusCode())
                .isEqualTo(400);
            assertThat(send("PUT", "/relaypack/routes/erin@example.com", "not json").statusCode()).isEqualTo(400);
        }

        @Test
        void putWithoutJsonContentTypeShouldAnswer415NamingTheHeader() throws Exception {
            assertAnswer(send(service, "PUT", "/relaypack/routes/erin@example.com", "{\"hop\":\"server3\"}", null), 415).contains("Content-Type: application/json");
            assertThat(directory.lookup(ERIN).route()).contains(Route.to("server2"));
        }

        @Test
        void putWithAFormContentTypeShouldAnswer415() throws Exception {
            assertThat(send(service, "PUT", "/relaypack/routes/erin@example.com", "{\"hop\":\"server3\"}",
                "application/x-www-form-urlencoded").statusCode()).isEqualTo(415);
        }

        @Test
        void putWithJsonAndACharsetShouldBeAccepted() throws Exception {
            assertThat(send(service, "PUT", "/relaypack/routes/erin@example.com", "{\"hop\":\"server3\"}",
                "application/json; charset=utf-8").statusCode()).isEqualTo(204);
        }

        @Test
        void putForADomainThatIsNotRoutedShouldAnswer400SayingSo() throws Exception {
            assertAnswer(send("PUT", "/relaypack/routes/kim@other.example", "{\"hop\":\"server3\"}"), 400).contains("'other.example'", "not routed", "relaypack.xml <routing domains", "example.com");
            assertThat(Files.readAllLines(routes)).containsExactly("# routes", "alice@example.com server1", "@example.com server2");
        }

        @Test
        void putToAnUnknownHopShouldAnswer400NamingItAndWriteNothing() throws Exception {
            assertAnswer(send("PUT", "/relaypack/routes/kim@example.com", "{\"hop\":\"server9\"}"), 400).contains("next hop 'server9'", "<nexthops>");
            assertThat(Files.readAllLines(routes)).containsExactly("# routes", "alice@example.com server1", "@example.com server2");
        }

        @Test
        void putShouldRefuseARouteBackToThisRelay() throws Exception {
            assertAnswer(send("PUT", "/relaypack/routes/erin@example.com", "{\"hop\":\"mx1.example.com\"}"), 400).contains("loop");
            assertThat(directory.lookup(ERIN).route()).contains(Route.to("server2"));
        }

        @Test
        void deleteShouldRemoveTheRoute() throws Exception {
            assertThat(send("DELETE", "/relaypack/routes/alice@example.com", null).statusCode()).isEqualTo(204);

            assertThat(directory.lookup(ALICE).route()).contains(Route.to("server2"));
            assertThat(Files.readAllLines(routes)).containsExactly("# routes", "@example.com server2");
        }

        @Test
        void deleteShouldBeIdempotent() throws Exception {
            assertThat(send("DELETE", "/relaypack/routes/nobody@example.com", null).statusCode()).isEqualTo(204);
            assertThat(Files.readAllLines(routes)).hasSize(3);
        }
    }

    @Nested
    class Lookup {
        @Test
        void lookupShouldTellWhereAnAddressGoesAndWhichSourceSaidSo() throws Exception {
            assertAnswer(send("GET", "/relaypack/routes/lookup/alice@example.com", null), 200).isEqualTo("{\"address\":\"alice@example.com\",\"status\":\"found\",\"source\":\"file\","
                + "\"hop\":\"server1\",\"recipient\":\"alice@example.com\",\"reason\":null}");
        }

        @Test
        void lookupShouldAnswerNoRouteForAnotherDomain() throws Exception {
            assertAnswer(send("GET", "/relaypack/routes/lookup/dave@other.org", null), 200).contains("\"status\":\"noRoute\"").contains("\"hop\":null");
        }

        @Test
        void lookupShouldReportADirectoryFailure() throws Exception {
            ldap.down(true);

            assertAnswer(send("GET", "/relaypack/routes/lookup/alice@example.com", null), 200).contains("\"status\":\"temporaryFailure\"").contains("\"source\":\"ldap\"")
                .contains("LDAP: connect error");
        }

        @Test
        void lookupShouldRejectABadAddress() throws Exception {
            assertThat(send("GET", "/relaypack/routes/lookup/not-an-address", null).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void fileRoutesShouldAnswer409WhenThereIsNoFileSource() throws Exception {
        RouteDirectory withoutFile = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
            List.of(new RendezvousPlacement(List.of("server1"))), new RecordingMetricFactory());
        Service other = start(withoutFile);
        try {
            HttpResponse<String> response = send(other, "GET", "/relaypack/routes", null);

            assertThat(response.statusCode()).isEqualTo(409);
            assertThat(send(other, "GET", "/relaypack/routes/lookup/alice@example.com", null).body()).contains("\"hop\":\"server1\"");
        } finally {
            other.stop();
            other.awaitStop();
        }
    }
}
