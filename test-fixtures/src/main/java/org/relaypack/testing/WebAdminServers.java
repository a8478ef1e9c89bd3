package org.relaypack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.apache.james.webadmin.Routes;
import org.assertj.core.api.AbstractStringAssert;

import spark.Service;

/** WebAdmin routes served as James serves them (Spark), on 127.0.0.1 and a free port. */
public final class WebAdminServers {
    /** Started and ready; the caller stops it. */
    public static Service serve(Routes routes) {
        Service spark = Service.ignite().ipAddress("127.0.0.1").port(0);
        routes.define(spark);
        spark.init();
        spark.awaitInitialization();
        return spark;
    }

    /** The answer's status (the body in the failure message), then its body to assert on. */
    public static AbstractStringAssert<?> assertAnswer(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return assertThat(response.body());
    }

    private WebAdminServers() {
    }
}
