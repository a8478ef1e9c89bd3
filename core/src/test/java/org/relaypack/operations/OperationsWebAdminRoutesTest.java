package org.relaypack.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.ScriptedTransport.failAllTemporarily;
import static org.relaypack.testing.Addresses.address;
import static org.relaypack.testing.WebAdminServers.assertAnswer;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.FailurePolicy;
import org.relaypack.delivery.HopScheduling;
import org.relaypack.delivery.HostSpec;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.delivery.RetryPolicy;
import org.relaypack.delivery.ScriptedTransport;
import org.relaypack.testing.Addresses;
import org.relaypack.testing.WebAdminServers;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;
import spark.Service;

/** The routes over a real engine and James's memory queues; server2 greylists every mail, its retry is an hour away. */
class OperationsWebAdminRoutesTest {
    static final NextHop SERVER1 = NextHop.builder("server1").host(HostSpec.literal("mbox1.example.com", 25)).build();
    static final NextHop SERVER2 = NextHop.builder("server2").host(HostSpec.literal("mbox2.example.com", 25)).build();
    static final Duration LATER = Duration.ofMinutes(20);
    static final HealthConfiguration HEALTH = HealthConfiguration.degradedAfter(Duration.ofMinutes(10));

    static DeliveryEngine engine;
    static ScriptedTransport transport;
    static Service service;
    static Service laterService;
    static HttpClient http;

    static Service start(NextHopChecks checks) {
        PendingMails pendingMails = new PendingMails(engine);
        return WebAdminServers.serve(new OperationsWebAdminRoutes(() -> pendingMails, () -> engine, () -> checks, new JsonTransformer()));
    }

    @BeforeAll
    static void start() throws Exception {
        transport = new ScriptedTransport();
        transport.always("server2", failAllTemporarily());
        engine = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), new RecordingMetricFactory(), transport,
            FakeMailContext.defaultContext(), NextHopsConfiguration.of(
                SERVER1.withScheduling(HopScheduling.of(RetryPolicy.defaults(), 1, Optional.empty(), HopScheduling.FirstAttempt.QUEUE)),
                SERVER2.withScheduling(
                    HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 5), 1, Optional.empty(), HopScheduling.FirstAttempt.QUEUE))));
        engine.start();
        service = start(new NextHopChecks(engine, HEALTH));
        laterService = start(later());
        http = HttpClient.newHttpClient();

        engine.enqueue(mail("1234ABCD-server2-9f0e1d2c", "carol@example.com", "dave@example.com"), SERVER2, FailurePolicy.defaults());
        await().untilAsserted(() -> assertThat(engine.health("server2").orElseThrow().nextRetry()).isPresent());
    }

    @AfterAll
    static void stop() {
        service.stop();
        laterService.stop();
        service.awaitStop();
        laterService.awaitStop();
        engine.stop();
    }

    static Mail mail(String name, String... recipients) throws Exception {
        String raw = "From: alice@example.org\r\nSubject: hello\r\n\r\nHello\r\n";
        return FakeMail.builder()
            .name(name)
            .sender("alice@example.org")
            .recipients(ImmutableList.copyOf(recipients).stream().map(Addresses::address).toArray(MailAddress[]::new))
            .mimeMessage(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))))
            .build();
    }

    static HttpResponse<String> get(Service spark, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spark.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return get(service, path);
    }

    /** The same engine seen twenty minutes later: server2 has failed for longer than degradedAfter. */
    static NextHopChecks later() {
        return new NextHopChecks(engine, HEALTH, Clock.offset(Clock.systemUTC(), LATER));
    }

    static Result check(HealthCheck check) {
        return Mono.from(check.check()).block();
    }

    @Nested
    class WhereIsMyMail {
        @Test
        void aRecipientShouldFindItsWaitingMailWithAttemptsNextAttemptAndLastError() throws Exception {
            assertAnswer(get("/relaypack/mail?recipient=dave@example.com"), 200)
                .startsWith("[{\"name\":\"1234ABCD-server2-9f0e1d2c\",\"hop\":\"server2\",\"queue\":\"relaypack-server2\","
                    + "\"sender\":\"alice@example.org\",\"recipients\":[\"carol@example.com\",\"dave@example.com\"],\"acceptedAt\":\"")
                .contains("\"attempts\":1,\"nextAttempt\":\"")
                .endsWith("\",\"lastError\":\"451 4.7.1 Greylisted, try again later\"}]");
        }

        @Test
        void theReceivedMailsNameShouldFindTheHopsCopy() throws Exception {
            assertThat(get("/relaypack/mail?name=1234ABCD").body()).contains("\"name\":\"1234ABCD-server2-9f0e1d2c\"");
            assertThat(get("/relaypack/mail?name=1234ABCD-server2-9f0e1d2c").body()).contains("\"name\":\"1234ABCD-server2-9f0e1d2c\"");
        }

        @Test
        void aPrefixThatIsNotAWholeNameShouldFindNothing() throws Exception {
            assertThat(get("/relaypack/mail?name=1234").body()).isEqualTo("[]");
        }

        @Test
        void anotherRecipientShouldFindNothing() throws Exception {
            assertAnswer(get("/relaypack/mail?recipient=erin@example.com"), 200).isEqualTo("[]");
        }

        @Test
        void neitherNameNorRecipientShouldBeABadRequest() throws Exception {
            assertAnswer(get("/relaypack/mail"), 400).contains("give exactly one of ?name=QUEUE_ID and ?recipient=ADDRESS");
        }

        @Test
        void bothShouldBeABadRequest() throws Exception {
            assertThat(get("/relaypack/mail?name=1234ABCD&recipient=dave@example.com").statusCode()).isEqualTo(400);
        }

        @Test
        void aRecipientThatIsNoAddressShouldBeABadRequest() throws Exception {
            assertAnswer(get("/relaypack/mail?recipient=dave@@example.com"), 400).contains("'dave@@example.com' is not an address");
        }
    }

    @Nested
    class Hops {
        @Test
        void theFailingHopShouldTellItsStreakLastErrorNextRetryAndQueue() throws Exception {
            assertAnswer(get("/relaypack/hops/server2"), 200)
                .startsWith("{\"hop\":\"server2\",\"failing\":true,\"consecutiveFailures\":1,\"failingSince\":\"")
                .contains("\"lastSuccess\":null,\"lastError\":\"451 4.7.1 Greylisted, try again later\",\"lastErrorAt\":\"")
                .contains("\"queueSize\":1,\"oldestMailAgeSeconds\":");
        }

        @Test
        void theListShouldHoldEveryHopInConfigurationOrder() throws Exception {
            assertAnswer(get("/relaypack/hops"), 200)
                .startsWith("[{\"hop\":\"server1\",\"failing\":false,\"consecutiveFailures\":0,\"failingSince\":null,\"failingForSeconds\":null,"
                    + "\"lastSuccess\":null,\"lastError\":null,\"lastErrorAt\":null,\"nextRetry\":null,\"queueSize\":0,\"oldestMailAgeSeconds\":null},"
                    + "{\"hop\":\"server2\",\"failing\":true,");
        }

        @Test
        void anUnknownHopShouldBeNotFound() throws Exception {
            assertAnswer(get("/relaypack/hops/server9"), 404).contains("No next hop 'server9' in relaypack.xml <nexthops> (known: server1, server2)");
        }
    }

    @Nested
    class HealthChecks {
        @Test
        void aHopFailingForLessThanDegradedAfterShouldBeHealthy() throws Exception {
            assertAnswer(get("/relaypack/healthcheck"), 200).isEqualTo("{\"status\":\"healthy\",\"checks\":["
                + "{\"componentName\":\"relaypack next hop server1\",\"escapedComponentName\":\"relaypack%20next%20hop%20server1\",\"status\":\"healthy\",\"cause\":null},"
                + "{\"componentName\":\"relaypack next hop server2\",\"escapedComponentName\":\"relaypack%20next%20hop%20server2\",\"status\":\"healthy\",\"cause\":null}]}");
        }

        @Test
        void aHopFailingForLongerShouldBeDegradedAndTheOtherHealthy() throws Exception {
            assertAnswer(get(laterService, "/relaypack/healthcheck"), 200)
                .startsWith("{\"status\":\"degraded\",\"checks\":["
                    + "{\"componentName\":\"relaypack next hop server1\",\"escapedComponentName\":\"relaypack%20next%20hop%20server1\",\"status\":\"healthy\",\"cause\":null},"
                    + "{\"componentName\":\"relaypack next hop server2\",\"escapedComponentName\":\"relaypack%20next%20hop%20server2\",\"status\":\"degraded\","
                    + "\"cause\":\"next hop server2 failing for ")
                .contains("(1 attempts in a row, longer than degradedAfter 10m)", "451 4.7.1 Greylisted, try again later", "1 mail(s) queued");
        }

        @Test
        void withoutThePacksModuleJamesHealthCheckShouldBeUnhealthySayingWhatToAdd() {
            NextHopsHealthCheck notInstalled = new NextHopsHealthCheck(() -> {
                throw new IllegalStateException("relaypack is not installed in this James");
            });

            assertThat(check(notInstalled))
                .satisfies(result -> {
                    assertThat(result.isUnHealthy()).isTrue();
                    assertThat(result.getCause()).contains("relaypack is not installed in this James");
                });
        }

        @Test
        void theCheckOfOneHopShouldAnswerForThatHop() {
            NextHopChecks later = later();

            assertThat(check(new NextHopHealthCheck(later, "server2")).isDegraded()).isTrue();
            assertThat(check(new NextHopHealthCheck(later, "server1")).isHealthy()).isTrue();
            assertThat(check(new NextHopHealthCheck(later, "server9")).isUnHealthy()).isTrue();
        }

        @Test
        void jamesHealthCheckShouldCombineTheHops() {
            assertThat(check(new NextHopsHealthCheck(OperationsWebAdminRoutesTest::later)))
                .satisfies(result -> {
                    assertThat(result.isDegraded()).isTrue();
                    assertThat(result.getComponentName().getName()).isEqualTo("relaypack next hops");
                    assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause).startsWith("next hop server2 failing for "));
                });
            assertThat(check(new NextHopsHealthCheck(() -> new NextHopChecks(engine, HEALTH))).isHealthy()).isTrue();
        }
    }
}
