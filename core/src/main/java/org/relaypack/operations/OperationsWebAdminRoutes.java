package org.relaypack.operations;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Provider;

import org.apache.james.core.MailAddress;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.dto.HealthCheckExecutionResultDto;
import org.apache.james.webadmin.dto.HeathCheckAggregationExecutionResultDto;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;
import org.relaypack.delivery.DeliveryEngine;

import com.google.common.collect.ImmutableList;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of a postmaster's questions (list them in {@code webadmin.properties}
 * {@code extensions.routes=org.relaypack.operations.OperationsWebAdminRoutes}):
 * <ul>
 *     <li>{@code GET /relaypack/mail?name=NAME} or {@code ?recipient=ADDRESS}: the mails waiting in
 *     the next hops' queues with that queue id (or one derived from it) or that recipient;</li>
 *     <li>{@code GET /relaypack/hops}, {@code GET /relaypack/hops/{hop}}: each next hop's health;</li>
 *     <li>{@code GET /relaypack/healthcheck}: one health check per next hop, in the shape and with the
 *     status codes of James's {@code GET /healthcheck}.</li>
 * </ul>
 * See docs/where-is-my-mail.md. The delivery engine is looked up at the first request (James builds
 * WebAdmin early in its start: a James failing its start for another reason has started no engine).
 */
public class OperationsWebAdminRoutes implements Routes {
    public static final String BASE_PATH = "/relaypack";
    public static final String MAIL_PATH = BASE_PATH + "/mail";
    public static final String HOPS_PATH = BASE_PATH + "/hops";
    public static final String HOP_PATH = HOPS_PATH + "/:hop";
    public static final String HEALTHCHECK_PATH = BASE_PATH + "/healthcheck";
    static final String NAME = "name";
    static final String RECIPIENT = "recipient";

    private final Provider<PendingMails> pendingMails;
    private final Provider<DeliveryEngine> engine;
    private final Provider<NextHopChecks> checks;
    private final JsonTransformer jsonTransformer;
    private final Clock clock;

    @Inject
    public OperationsWebAdminRoutes(Provider<PendingMails> pendingMails, Provider<DeliveryEngine> engine, Provider<NextHopChecks> checks,
                                    JsonTransformer jsonTransformer) {
        this(pendingMails, engine, checks, jsonTransformer, Clock.systemUTC());
    }

    OperationsWebAdminRoutes(Provider<PendingMails> pendingMails, Provider<DeliveryEngine> engine, Provider<NextHopChecks> checks,
                             JsonTransformer jsonTransformer, Clock clock) {
        this.pendingMails = pendingMails;
        this.engine = engine;
        this.checks = checks;
        this.jsonTransformer = jsonTransformer;
        this.clock = clock;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(MAIL_PATH, this::mail, jsonTransformer);
        service.get(HOPS_PATH, this::hops, jsonTransformer);
        service.get(HOP_PATH, this::hop, jsonTransformer);
        service.get(HEALTHCHECK_PATH, this::healthcheck, jsonTransformer);
    }

    private List<PendingMail> mail(Request request, Response response) {
        Optional<String> name = parameter(request, NAME);
        Optional<String> recipient = parameter(request, RECIPIENT);
        if (name.isPresent() == recipient.isPresent()) {
            throw WebAdminErrors.badRequest("give exactly one of ?name=QUEUE_ID and ?recipient=ADDRESS");
        }
        if (name.isPresent()) {
            return pendingMails.get().find(mail -> mail.hasName(name.get()));
        }
        MailAddress address = WebAdminErrors.address(recipient.get());
        return pendingMails.get().find(mail -> mail.hasRecipient(address));
    }

    private List<HopHealthDto> hops(Request request, Response response) {
        Instant now = clock.instant();
        return engine.get().health().values().stream()
            .map(health -> new HopHealthDto(health, now))
            .collect(ImmutableList.toImmutableList());
    }

    private HopHealthDto hop(Request request, Response response) {
        String hop = request.params("hop");
        return engine.get().health(hop)
            .map(health -> new HopHealthDto(health, clock.instant()))
            .orElseThrow(() -> WebAdminErrors.notFound("No next hop '" + hop + "' in relaypack.xml <nexthops> (known: "
                + String.join(", ", engine.get().configuration().hops().keySet()) + ")"));
    }

    /** As James's HealthCheckRoutes: 200 when healthy or degraded, 503 when unhealthy. */
    private HeathCheckAggregationExecutionResultDto healthcheck(Request request, Response response) {
        ImmutableList<Result> results = checks.get().checkAll();
        ResultStatus status = results.stream().map(Result::getStatus).reduce(ResultStatus::merge).orElse(ResultStatus.HEALTHY);
        response.status(status == ResultStatus.UNHEALTHY ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200);
        return new HeathCheckAggregationExecutionResultDto(status,
            results.stream().map(HealthCheckExecutionResultDto::new).collect(ImmutableList.toImmutableList()));
    }

    private static Optional<String> parameter(Request request, String name) {
        return Optional.ofNullable(request.queryParams(name)).map(String::trim).filter(value -> !value.isEmpty());
    }
}
