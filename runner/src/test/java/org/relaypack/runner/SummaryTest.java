package org.relaypack.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {
    @TempDir
    Path conf;

    @Test
    void listenersShouldBeNamedByRoleWithTheirTlsMode() throws Exception {
        Files.writeString(conf.resolve("smtpserver.xml"), "<smtpservers>"
            + "<smtpserver enabled=\"true\"><bind>127.0.0.1:2525</bind><tls socketTLS=\"false\" startTLS=\"true\"/></smtpserver>"
            + "<smtpserver enabled=\"true\"><bind>127.0.0.1:4465</bind><tls socketTLS=\"true\" startTLS=\"false\"/></smtpserver>"
            + "<smtpserver enabled=\"false\"><bind>127.0.0.1:4587</bind></smtpserver>"
            + "</smtpservers>");
        Files.writeString(conf.resolve("imapserver.xml"), "<imapservers><imapserver enabled=\"true\"><bind>127.0.0.1:1143</bind></imapserver></imapservers>");
        Files.writeString(conf.resolve("webadmin.properties"), "enabled=true\nport=8000\n");
        Files.writeString(conf.resolve("jmx.properties"), "jmx.enabled=true\njmx.port=9999\n");

        List<Summary.Listener> listeners = Summary.listeners(conf, Map.of(25, 2525, 465, 4465, 587, 4587, 143, 1143, 8000, 8000, 9999, 9999));

        assertThat(listeners).extracting(Object::toString).containsExactly(
            "SMTP 25               : 127.0.0.1:2525  (port 25 in the sample, STARTTLS)",
            "submission 465        : 127.0.0.1:4465  (port 465 in the sample, implicit TLS)",
            "IMAP 143              : 127.0.0.1:1143  (port 143 in the sample, plaintext)",
            "WebAdmin              : 127.0.0.1:8000  (http://127.0.0.1:8000, port 8000 in the sample)",
            "JMX                   : 127.0.0.1:9999  (for ./relaypack cli, port 9999 in the sample)");
    }

    @Test
    void aCommandShouldGetThisRunsPorts() {
        assertThat(Summary.command("swaks --server 127.0.0.1:{listener.587} --tls; {cli} ListDomains",
            Map.of(587, 40587), List.of(), "./relaypack cli --workdir /tmp/x"))
            .isEqualTo("swaks --server 127.0.0.1:40587 --tls; ./relaypack cli --workdir /tmp/x ListDomains");
    }
}
