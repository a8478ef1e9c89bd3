package org.relaypack.tls.mtasts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.dnsservice.api.DNSService;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * Fetches {@code https://mta-sts.DOMAIN/.well-known/mta-sts.txt} under RFC 8461 3.3: the address
 * through James's DNSService (never the JVM resolver), TLS 1.2 or newer with the certificate
 * checked against the trust store and the name {@code mta-sts.DOMAIN}, status 200 only (no
 * redirect is followed), {@code Content-Type: text/plain}, at most 64 KiB of body, and one deadline
 * for the whole fetch. HTTP/1.0 with {@code Connection: close}: the body ends with the connection
 * and is never chunked. Thread-safe.
 */
final class PolicyFetcher {
    static final String PATH = "/.well-known/mta-sts.txt";
    static final int MAX_BODY = 64 * 1024;
    private static final int MAX_HEAD = 16 * 1024;
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** Closes a fetch's socket at its deadline, whatever it is waiting for (a handshake that trickles in, too). */
    /** Made at the first fetch, shut down by {@link #close()} when James stops. */
    private ScheduledExecutorService deadlines;

    private final DNSService dns;
    private final Map<Optional<TlsPolicy.TrustStore>, SSLContext> contexts = new ConcurrentHashMap<>();

    PolicyFetcher(DNSService dns) {
        this.dns = dns;
    }

    /** The policy text of {@code domain}, or why it could not be had. */
    String fetch(String domain, MtaStsSettings settings) throws PolicyUnavailable {
        String host = "mta-sts." + domain;
        String url = "https://" + host + (settings.policyPort() == MtaStsSettings.DEFAULT_POLICY_PORT ? "" : ":" + settings.policyPort()) + PATH;
        long deadline = System.nanoTime() + settings.policyTimeout().toNanos();
        List<InetAddress> addresses;
        try {
            addresses = ImmutableList.copyOf(dns.getAllByName(host + "."));
        } catch (UnknownHostException | RuntimeException e) {
            throw new PolicyUnavailable("fetching " + url + " failed: " + host + " has no address (" + e.getMessage() + ")", e);
        }
        if (addresses.isEmpty()) {
            throw new PolicyUnavailable("fetching " + url + " failed: " + host + " has no address");
        }
        AtomicBoolean expired = new AtomicBoolean();
        try (Socket socket = connect(addresses, settings.policyPort(), deadline, url)) {
            ScheduledFuture<?> guard = deadlines().schedule(() -> {
                expired.set(true);
                closeQuietly(socket);
            }, remainingMillis(deadline), TimeUnit.MILLISECONDS);
            try {
                return exchange(socket, host, url, settings, deadline);
            } finally {
                guard.cancel(false);
            }
        } catch (IOException e) {
            String reason = expired.get() || e instanceof SocketTimeoutException ? "timed out after " + settings.policyTimeout().toSeconds() + "s" : e.toString();
            throw new PolicyUnavailable("fetching " + url + " failed: " + reason, e);
        }
    }

    private String exchange(Socket socket, String host, String url, MtaStsSettings settings, long deadline) throws IOException, PolicyUnavailable {
        SSLSocket tls = handshake(socket, host, settings, deadline);
        OutputStream out = tls.getOutputStream();
        out.write(("GET " + PATH + " HTTP/1.0\r\nHost: " + host + "\r\nAccept: text/plain\r\nConnection: close\r\n"
            + "User-Agent: relaypack-mta-sts\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return PolicyResponse.read(tls, deadline, MAX_HEAD, MAX_BODY).policyText(url);
    }

    private static Socket connect(List<InetAddress> addresses, int port, long deadline, String url) throws PolicyUnavailable {
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
                return socket;
            } catch (IOException e) {
                closeQuietly(socket);
                last = e;
            }
        }
        throw new PolicyUnavailable("fetching " + url + " failed: cannot connect to " + addresses + ": " + last, last);
    }

    private SSLSocket handshake(Socket socket, String host, MtaStsSettings settings, long deadline) throws IOException {
        SSLSocket tls = (SSLSocket) context(settings.trustStore()).getSocketFactory()
            .createSocket(socket, host, settings.policyPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setServerNames(ImmutableList.of(new SNIHostName(host)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(remainingMillis(deadline));
        tls.startHandshake();
        return tls;
    }

    private SSLContext context(Optional<TlsPolicy.TrustStore> trustStore) throws IOException {
        SSLContext existing = contexts.get(trustStore);
        if (existing != null) {
            return existing;
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore.isPresent() ? trustStore.get().load() : (KeyStore) null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            contexts.putIfAbsent(trustStore, context);
            return contexts.get(trustStore);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e, e);
        }
    }

    static int remainingMillis(long deadline) throws IOException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new IOException("timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing was sent on it
        }
    }

    private synchronized ScheduledExecutorService deadlines() {
        if (deadlines == null) {
            deadlines = Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("relaypack-mta-sts-deadline").setDaemon(true).build());
        }
        return deadlines;
    }

    /** Stops the deadline thread; a fetch after this starts a new one. */
    synchronized void close() {
        if (deadlines != null) {
            deadlines.shutdownNow();
            deadlines = null;
        }
    }
}
