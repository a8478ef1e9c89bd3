package org.relaypack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;

import com.google.common.collect.ImmutableList;

/** One session of a {@link ScriptedSmtpPeer}: plays its script and records into the peer. */
final class ScriptedSession {
    private static final String DATA_END = ".";

    static final class Rule {
        final String prefix;
        final String reply;
        final boolean close;

        Rule(String prefix, String reply, boolean close) {
            this.prefix = prefix;
            this.reply = reply;
            this.close = close;
        }

        boolean matches(String line) {
            return line.regionMatches(true, 0, prefix, 0, prefix.length());
        }
    }

    private final ScriptedSmtpPeer.Builder script;
    private final ScriptedSmtpPeer peer;

    ScriptedSession(ScriptedSmtpPeer.Builder script, ScriptedSmtpPeer peer) {
        this.script = script;
        this.peer = peer;
    }

    void serve(Socket socket, int session) {
        peer.mostActiveSessions.accumulateAndGet(peer.activeSessions.incrementAndGet(), Math::max);
        try (socket) {
            OutputStream out = socket.getOutputStream();
            if (session <= script.refusedSessions) {
                send(out, "421 4.3.2 try later");
                return;
            }
            if (script.endlessGreeting.isPresent()) {
                dripForever(socket, script.greeting, script.endlessGreeting.get());
                return;
            }
            if (script.greetingDrip.isPresent()) {
                drip(out, script.greeting + "\r\n", script.greetingDrip.get());
            } else {
                send(out, script.greeting);
            }
            if (script.closeAfterGreeting) {
                return;
            }
            converse(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketException e) {
            // the client went away: part of several scenarios
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            peer.activeSessions.decrementAndGet();
        }
    }

    private static void drip(OutputStream out, String text, Duration pause) throws IOException, InterruptedException {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            out.flush();
            Thread.sleep(pause.toMillis());
        }
    }

    /** Drips the text but its last two bytes (the CRLF) over and over, until the client closes. */
    private void dripForever(Socket socket, String text, Duration pause) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.setSoTimeout((int) Math.max(1, pause.toMillis()));
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int sent = 0; !peer.serverSocket.isClosed(); sent++) {
            out.write(bytes[sent % bytes.length]);
            out.flush();
            try {
                if (in.read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // nothing from the client, as expected: drip on
            }
        }
    }

    /** Holds the session open, reading nothing, until the client or the test closes it. */
    private static void stall(Socket socket) throws InterruptedException {
        while (!socket.isClosed()) {
            Thread.sleep(50);
        }
    }

    private void converse(Socket socket) throws IOException, InterruptedException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteArrayOutputStream data = null;
        byte[] buffer = new byte[65536];
        while (true) {
            int count = in.read(buffer);
            if (count == -1) {
                return;
            }
            List<String> linesOfThisRead = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                line.write(buffer[i]);
                if (buffer[i] != '\n') {
                    continue;
                }
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                String command = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text;
                if (data != null) {
                    if (!command.equals(DATA_END)) {
                        data.write(text.getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    peer.messages.add(data.toString(StandardCharsets.UTF_8));
                    data = null;
                }
                peer.commands.add(command);
                linesOfThisRead.add(command);
                Rule rule = rule(command);
                if (rule.reply == null) {
                    if (!rule.close) {
                        stall(socket);
                    }
                    return;
                }
                if (command.regionMatches(true, 0, "EHLO", 0, 4) && script.endlessEhlo) {
                    while (true) {
                        send(out, "250-peer.test says hello again and again and again");
                    }
                }
                send(out, rule.reply);
                if (rule.close) {
                    return;
                }
                if (command.equalsIgnoreCase("STARTTLS") && rule.reply.startsWith("220")) {
                    if (script.brokenStartTls) {
                        send(out, "this is no TLS handshake");
                        stall(socket);
                        return;
                    }
                    SSLSocket tls = (SSLSocket) script.startTls.get().getSocketFactory()
                        .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    tls.setUseClientMode(false);
                    tls.setEnabledProtocols(script.startTlsProtocols);
                    tls.startHandshake();
                    peer.tlsProtocols.add(tls.getSession().getProtocol());
                    ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()
                        .forEach(name -> peer.serverNames.add(((SNIHostName) name).getAsciiName()));
                    socket = tls;
                    in = tls.getInputStream();
                    out = tls.getOutputStream();
                    break;
                }
                if (command.equalsIgnoreCase("DATA") && rule.reply.startsWith("354")) {
                    if (script.stopReadingAfterData) {
                        stall(socket);
                        return;
                    }
                    data = new ByteArrayOutputStream();
                }
                if (command.equalsIgnoreCase("QUIT")) {
                    return;
                }
            }
            if (!linesOfThisRead.isEmpty()) {
                peer.reads.add(ImmutableList.copyOf(linesOfThisRead));
            }
        }
    }

    private Rule rule(String command) {
        return script.rules.stream()
            .filter(rule -> rule.matches(command))
            .findFirst()
            .orElseGet(() -> defaultRule(command));
    }

    private Rule defaultRule(String command) {
        String verb = command.split(" ", 2)[0].toUpperCase();
        switch (verb) {
            case "EHLO":
                return new Rule(verb, ehloReply(), false);
            case "DATA":
                return new Rule(verb, "354 go ahead", false);
            case "STARTTLS":
                return script.startTls.isPresent() || script.brokenStartTls
                    ? new Rule(verb, "220 2.0.0 ready to start TLS", false)
                    : new Rule(verb, "502 5.5.1 not implemented", false);
            case DATA_END:
                return new Rule(verb, "250 2.0.0 queued as " + peer.messages.size(), false);
            case "QUIT":
                return new Rule(verb, "221 2.0.0 bye", false);
            case "HELO":
            case "MAIL":
            case "RCPT":
            case "RSET":
            case "NOOP":
                return new Rule(verb, "250 2.0.0 ok", false);
            default:
                return new Rule(verb, "502 5.5.1 not implemented", false);
        }
    }

    private String ehloReply() {
        List<String> extensions = new ArrayList<>(script.extensions);
        if (script.startTls.isPresent() || script.brokenStartTls) {
            extensions.add("STARTTLS");
        }
        StringBuilder reply = new StringBuilder("250");
        reply.append(extensions.isEmpty() ? " " : "-").append("peer.test");
        for (int i = 0; i < extensions.size(); i++) {
            reply.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-").append(extensions.get(i));
        }
        return reply.toString();
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
