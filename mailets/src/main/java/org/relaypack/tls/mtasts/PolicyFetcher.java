package org.relaypack.tls.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.dnsservice.api.DNSService;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableList;

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
        try (Socket socket = connect(addresses, settings.policyPort(), deadline, url)) {
            SSLSocket tls = handshake(socket, host, settings, deadline);
            OutputStream out = tls.getOutputStream();
            out.write(("GET " + PATH + " HTTP/1.0\r\nHost: " + host + "\r\nAccept: text/plain\r\nConnection: close\r\n"
                + "User-Agent: relaypack-mta-sts\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return HttpResponse.read(tls, deadline, MAX_HEAD, MAX_BODY).policyText(url);
        } catch (IOException e) {
            throw new PolicyUnavailable("fetching " + url + " failed: " + e, e);
        }
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

    /** The status, headers and body of an HTTP/1.x response, read under the deadline and the caps. */
    static final class HttpResponse {
        /** CR LF CR LF. */
        private static final int END_OF_HEAD = 0x0D0A0D0A;
        private final int status;
        private final Map<String, String> headers;
        private final byte[] body;

        private HttpResponse(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        static HttpResponse read(Socket socket, long deadline, int maxHead, int maxBody) throws IOException, PolicyUnavailable {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int lastFour = 0;
            while (lastFour != END_OF_HEAD) {
                socket.setSoTimeout(remainingMillis(deadline));
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed before the end of the response headers");
                }
                head.write(b);
                if (head.size() > maxHead) {
                    throw new PolicyUnavailable("response headers longer than " + maxHead + " bytes");
                }
                lastFour = (lastFour << 8) | b;
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.") || !statusLine[1].matches("[0-9]{3}")) {
                throw new PolicyUnavailable("the response does not begin with an HTTP/1.x status line: '" + lines[0] + "'");
            }
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            int status = Integer.parseInt(statusLine[1]);
            if (status != 200) {
                return new HttpResponse(status, headers, new byte[0]);
            }
            return new HttpResponse(status, headers, body(socket, in, headers, deadline, maxBody));
        }

        private static byte[] body(Socket socket, InputStream in, Map<String, String> headers, long deadline, int maxBody)
            throws IOException, PolicyUnavailable {
            if (headers.containsKey("transfer-encoding")) {
                throw new PolicyUnavailable("the response to an HTTP/1.0 request has Transfer-Encoding: " + headers.get("transfer-encoding"));
            }
            Optional<Long> length = Optional.empty();
            if (headers.containsKey("content-length")) {
                try {
                    length = Optional.of(Long.parseLong(headers.get("content-length")));
                } catch (NumberFormatException e) {
                    throw new PolicyUnavailable("Content-Length '" + headers.get("content-length") + "' is not a number");
                }
                if (length.get() > maxBody) {
                    throw new PolicyUnavailable("the policy is " + length.get() + " bytes long, more than the " + maxBody + " allowed");
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (length.isEmpty() || body.size() < length.get()) {
                socket.setSoTimeout(remainingMillis(deadline));
                int read = in.read(buffer);
                if (read < 0) {
                    break;
                }
                body.write(buffer, 0, read);
                if (body.size() > maxBody) {
                    throw new PolicyUnavailable("the policy is longer than the " + maxBody + " bytes allowed");
                }
            }
            if (length.isPresent() && body.size() < length.get()) {
                throw new IOException("connection closed after " + body.size() + " of " + length.get() + " bytes of the policy");
            }
            return body.toByteArray();
        }

        /** The body when the response is a 200 with {@code text/plain}; a redirect or any other answer is refused. */
        String policyText(String url) throws PolicyUnavailable {
            if (status >= 300 && status < 400) {
                throw new PolicyUnavailable(url + " answered " + status + " (redirect to " + headers.getOrDefault("location", "?")
                    + "), and RFC 8461 3.3 forbids following redirects");
            }
            if (status != 200) {
                throw new PolicyUnavailable(url + " answered HTTP status " + status + ", not 200");
            }
            String contentType = headers.getOrDefault("content-type", "");
            String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!mediaType.equals("text/plain")) {
                throw new PolicyUnavailable(url + " answered Content-Type '" + contentType + "', not text/plain (RFC 8461 3.3)");
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
