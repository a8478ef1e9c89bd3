package org.relaypack.testing;

import org.apache.james.webadmin.Routes;

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

    private WebAdminServers() {
    }
}
