package org.relaypack.it.samples;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.relaypack.testing.SmtpTestClient;

import com.google.common.base.Splitter;

/**
 * A {@code swaks} line of a summary or a doc, sent as swaks sends it: {@code --server HOST:PORT},
 * {@code --from}, {@code --to} (comma list), {@code --tls} (STARTTLS), {@code --tlsc} (implicit TLS),
 * {@code --auth PLAIN --auth-user U --auth-password P}; swaks's default message (Subject "test DATE").
 * Any other option fails the test: a line this class cannot honour is not checked.
 */
final class SwaksLine {
    private final int port;
    private final String from;
    private final List<String> to;
    private final boolean startTls;
    private final boolean implicitTls;
    private final Optional<String> authUser;
    private final Optional<String> authPassword;

    static SwaksLine parse(List<String> words) {
        int port = 25;
        String from = null;
        List<String> to = null;
        boolean startTls = false;
        boolean implicitTls = false;
        String user = null;
        String password = null;
        for (int i = 1; i < words.size(); i++) {
            switch (words.get(i)) {
                case "--server":
                    String server = words.get(++i);
                    if (!server.startsWith("127.0.0.1:")) {
                        throw new IllegalArgumentException("swaks line for another host than 127.0.0.1: " + words);
                    }
                    port = Integer.parseInt(server.substring("127.0.0.1:".length()));
                    break;
                case "--from":
                    from = words.get(++i);
                    break;
                case "--to":
                    to = Splitter.on(',').trimResults().splitToList(words.get(++i));
                    break;
                case "--tls":
                    startTls = true;
                    break;
                case "--tlsc":
                    implicitTls = true;
                    break;
                case "--auth":
                    if (!words.get(++i).equals("PLAIN")) {
                        throw new IllegalArgumentException("only --auth PLAIN is sent by the tests: " + words);
                    }
                    break;
                case "--auth-user":
                    user = words.get(++i);
                    break;
                case "--auth-password":
                    password = words.get(++i);
                    break;
                default:
                    throw new IllegalArgumentException("swaks option the tests do not send: " + words.get(i) + " in " + words);
            }
        }
        if (from == null || to == null) {
            throw new IllegalArgumentException("swaks line without --from or --to: " + words);
        }
        return new SwaksLine(port, from, to, startTls, implicitTls, Optional.ofNullable(user), Optional.ofNullable(password));
    }

    private SwaksLine(int port, String from, List<String> to, boolean startTls, boolean implicitTls,
                      Optional<String> authUser, Optional<String> authPassword) {
        this.port = port;
        this.from = from;
        this.to = to;
        this.startTls = startTls;
        this.implicitTls = implicitTls;
        this.authUser = authUser;
        this.authPassword = authPassword;
    }

    /** The reply to the end of DATA (or the first refusal). */
    SmtpTestClient.Reply send() throws Exception {
        try (SmtpTestClient client = implicitTls ? SmtpTestClient.implicitTls(port) : SmtpTestClient.plain(port)) {
            client.greeting();
            client.ehlo("swaks.relaypack.test");
            if (startTls) {
                SmtpTestClient.Reply reply = client.startTls();
                if (reply.code() != 220) {
                    return reply;
                }
                client.ehlo("swaks.relaypack.test");
            }
            if (authUser.isPresent()) {
                SmtpTestClient.Reply reply = client.authPlain(authUser.get(), authPassword.orElse(""));
                if (reply.code() != 235) {
                    return reply;
                }
            }
            return client.send(from, to, message());
        }
    }

    private String message() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US).format(ZonedDateTime.now());
        return "Date: " + date + "\r\nTo: " + String.join(", ", to) + "\r\nFrom: " + from + "\r\nSubject: test " + date
            + "\r\nMessage-Id: <" + System.nanoTime() + "@swaks.relaypack.test>\r\nX-Mailer: swaks (relaypack tests)\r\n\r\n"
            + "This is a test mailing\r\n";
    }
}
