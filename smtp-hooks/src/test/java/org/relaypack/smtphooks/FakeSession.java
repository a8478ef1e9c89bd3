package org.relaypack.smtphooks;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;

/** An SMTPSession answering only what the submission handlers ask: TLS state, user, addresses. */
final class FakeSession {
    static SMTPSession of(boolean tls, Optional<Username> user) {
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 587);
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        return (SMTPSession) Proxy.newProxyInstance(FakeSession.class.getClassLoader(), new Class<?>[] {SMTPSession.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "isTLSStarted":
                        return tls;
                    case "getUsername":
                        return user.orElse(null);
                    case "getSSLSession":
                        return Optional.empty();
                    case "getLocalAddress":
                        return local;
                    case "getRemoteAddress":
                        return remote;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    private FakeSession() {
    }
}
