package org.relaypack.routing;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonExtractException;
import org.apache.james.webadmin.utils.JsonExtractor;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.apache.james.webadmin.utils.Responses;
import org.relaypack.operations.WebAdminErrors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.common.collect.ImmutableList;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of the mailbox-server routing (list them in {@code webadmin.properties}
 * {@code extensions.routes=org.relaypack.routing.MailboxRoutesWebAdminRoutes}):
 * <ul>
 *     <li>{@code GET /relaypack/routes}: the routes of the routes file;</li>
 *     <li>{@code GET|PUT|DELETE /relaypack/routes/{key}}: one route of the routes file
 *     ({@code user@domain}, {@code @domain} or {@code *}); PUT takes {@code {"hop": "server1", "rewrittenRecipient": "..."}},
 *     writes the file atomically and swaps the table;</li>
 *     <li>{@code GET /relaypack/routes/lookup/{address}}: where the whole directory sends that address.</li>
 * </ul>
 */
public class MailboxRoutesWebAdminRoutes implements Routes {
    public static final String BASE_PATH = "/relaypack/routes";
    public static final String ROUTE_PATH = BASE_PATH + "/:key";
    public static final String LOOKUP_PATH = BASE_PATH + "/lookup/:address";
    static final String JSON = "application/json";

    /** One route, as listed and read. */
    public static class RouteDto {
        private final String key;
        private final String hop;
        private final Optional<String> rewrittenRecipient;

        RouteDto(RouteEntry entry) {
            this.key = entry.key();
            this.hop = entry.route().hop();
            this.rewrittenRecipient = entry.route().rewrittenRecipient().map(MailAddress::asString);
        }

        public String getKey() {
            return key;
        }

        public String getHop() {
            return hop;
        }

        public Optional<String> getRewrittenRecipient() {
            return rewrittenRecipient;
        }
    }

    /** The body of PUT. */
    public static class RouteRequest {
        private final String hop;
        private final Optional<String> rewrittenRecipient;

        @JsonCreator
        public RouteRequest(@JsonProperty("hop") String hop, @JsonProperty("rewrittenRecipient") Optional<String> rewrittenRecipient) {
            this.hop = hop;
            this.rewrittenRecipient = Optional.ofNullable(rewrittenRecipient).flatMap(value -> value);
        }
    }

    /** The answer of the lookup endpoint. */
    public static class LookupDto {
        private final String address;
        private final String status;
        private final Optional<String> source;
        private final Optional<String> hop;
        private final Optional<String> recipient;
        private final Optional<String> reason;

        LookupDto(MailAddress address, RouteDirectory.Answer answer) {
            RouteLookup lookup = answer.lookup();
            this.address = address.asString();
            this.status = status(lookup.status());
            this.source = answer.source();
            this.hop = lookup.route().map(Route::hop);
            this.recipient = lookup.route().map(route -> route.recipientFor(address).asString());
            this.reason = lookup.failureReason();
        }

        private static String status(RouteLookup.Status status) {
            switch (status) {
                case FOUND:
                    return "found";
                case NO_ROUTE:
                    return "noRoute";
                default:
                    return "temporaryFailure";
            }
        }

        public String getAddress() {
            return address;
        }

        public String getStatus() {
            return status;
        }

        public Optional<String> getSource() {
            return source;
        }

        public Optional<String> getHop() {
            return hop;
        }

        public Optional<String> getRecipient() {
            return recipient;
        }

        public Optional<String> getReason() {
            return reason;
        }
    }

    private final RouteDirectory directory;
    private final JsonTransformer jsonTransformer;
    private final JsonExtractor<RouteRequest> jsonExtractor;

    @Inject
    public MailboxRoutesWebAdminRoutes(RouteDirectory directory, JsonTransformer jsonTransformer) {
        this.directory = directory;
        this.jsonTransformer = jsonTransformer;
        this.jsonExtractor = new JsonExtractor<>(RouteRequest.class, new com.fasterxml.jackson.datatype.jdk8.Jdk8Module());
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH, this::list, jsonTransformer);
        service.get(LOOKUP_PATH, this::lookup, jsonTransformer);
        service.get(ROUTE_PATH, this::get, jsonTransformer);
        service.put(ROUTE_PATH, this::set);
        service.delete(ROUTE_PATH, this::delete);
    }

    private List<RouteDto> list(Request request, Response response) {
        return fileSource().table().entries()
            .map(RouteDto::new)
            .collect(ImmutableList.toImmutableList());
    }

    private RouteDto get(Request request, Response response) {
        String key = key(request);
        return fileSource().table().get(key)
            .map(route -> new RouteDto(RouteEntry.of(key, route)))
            .orElseThrow(() -> WebAdminErrors.notFound("No route for '" + key + "' in the routes file"));
    }

    private String set(Request request, Response response) {
        requireJson(request);
        FileRouteSource file = fileSource();
        String key = key(request);
        requireRoutedDomain(key);
        RouteRequest body = parse(request.body());
        Route route;
        try {
            route = Route.to(body.hop, body.rewrittenRecipient.map(WebAdminErrors::address));
        } catch (IllegalArgumentException e) {
            throw WebAdminErrors.badRequest(e.getMessage());
        }
        if (directory.isLocalName(route.hop())) {
            throw WebAdminErrors.badRequest("next hop '" + route.hop() + "' is a name of this relay: mail would loop");
        }
        if (!directory.knownHops().contains(route.hop())) {
            throw WebAdminErrors.badRequest(directory.knownHops().unknown(route.hop()) + ": route not written");
        }
        try {
            file.setRoute(RouteEntry.of(key, route));
        } catch (IOException | RoutesFileException e) {
            throw WebAdminErrors.serverError("Cannot write the routes file " + file.file(), e);
        }
        return Responses.returnNoContent(response);
    }

    private String delete(Request request, Response response) {
        FileRouteSource file = fileSource();
        String key = key(request);
        try {
            file.deleteRoute(key);
        } catch (IOException | RoutesFileException e) {
            throw WebAdminErrors.serverError("Cannot write the routes file " + file.file(), e);
        }
        return Responses.returnNoContent(response);
    }

    private LookupDto lookup(Request request, Response response) {
        MailAddress address = WebAdminErrors.address(request.params("address"));
        return new LookupDto(address, directory.explain(address));
    }

    private FileRouteSource fileSource() {
        return directory.fileSource()
            .orElseThrow(() -> WebAdminErrors.conflict("No <file> source in relaypack.xml <routing><sources>: routes are managed in the directory itself"));
    }

    /** A form-encoded body is consumed before the route reads it: say which header to send rather than fail on an empty body. */
    private static void requireJson(Request request) {
        String contentType = Optional.ofNullable(request.contentType()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).startsWith(JSON)) {
            throw WebAdminErrors.unsupportedMediaType(String.format(
                "The body must be JSON: send the header 'Content-Type: %s' (got '%s'), e.g. curl -H 'Content-Type: %s'", JSON, contentType, JSON));
        }
    }

    /** A route outside the routed domains would never be asked: refuse it rather than keep it silently useless. */
    private void requireRoutedDomain(String key) {
        if (key.equals(RouteKey.DEFAULT)) {
            return;
        }
        Domain domain = Domain.of(key.substring(key.lastIndexOf('@') + 1));
        if (!directory.isRoutedDomain(domain)) {
            throw WebAdminErrors.badRequest("domain '" + domain.asString() + "' of '" + key + "' is not routed: add it to relaypack.xml <routing domains=\"...\"> "
                + "(routed: " + directory.routedDomains().stream().map(Domain::asString).collect(Collectors.joining(", "))
                + ")");
        }
    }

    private String key(Request request) {
        try {
            return RouteKey.normalize(request.params("key"));
        } catch (IllegalArgumentException e) {
            throw WebAdminErrors.badRequest(e.getMessage());
        }
    }

    private RouteRequest parse(String body) {
        try {
            RouteRequest parsed = jsonExtractor.parse(body);
            if (parsed.hop == null) {
                throw WebAdminErrors.badRequest("missing 'hop' in " + body);
            }
            return parsed;
        } catch (JsonExtractException e) {
            throw WebAdminErrors.badRequest("body is not a route ({\"hop\": \"server1\", \"rewrittenRecipient\": optional}): " + e.getMessage());
        }
    }
}
