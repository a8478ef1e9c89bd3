package org.relaypack.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfSampleTest {
    @TempDir
    Path sample;
    @TempDir
    Path conf;

    @Test
    void aBinaryFileShouldBeCopiedByteForByte() throws Exception {
        // A PKCS12 trust store: not UTF-8, NUL bytes. Decoding it crashed the run (MalformedInputException).
        byte[] trustStore = {0x30, (byte) 0x82, 0x0a, 0x00, (byte) 0xff, (byte) 0xfe, 0x00, 0x01, (byte) 0xc3};
        Files.write(sample.resolve("partner-ca.p12"), trustStore);

        new ConfSample(sample).substitute("0", "1").writeTo(conf, port -> port + 1);

        assertThat(Files.readAllBytes(conf.resolve("partner-ca.p12"))).isEqualTo(trustStore);
    }

    @Test
    void aTextFileWithNothingToChangeShouldBeCopiedByteForByte() throws Exception {
        byte[] text = "\uFEFF# caf\u00e9\r\nkey = value\r\n".getBytes(StandardCharsets.UTF_8);
        Files.write(sample.resolve("notes.properties"), text);

        new ConfSample(sample).writeTo(conf, port -> port + 1);

        assertThat(Files.readAllBytes(conf.resolve("notes.properties"))).isEqualTo(text);
    }

    @Test
    void listenersAndPeersShouldBeRewrittenInTextFiles() throws Exception {
        Files.writeString(sample.resolve("smtpserver.xml"), "<smtpserver><bind>0.0.0.0:25</bind></smtpserver>");
        Files.writeString(sample.resolve("relaypack.xml"), "<host>[smtp.provider.example]:587</host>");
        Files.writeString(sample.resolve("jmx.properties"), "jmx.port=9999\n");

        Map<Integer, Integer> ports = new ConfSample(sample)
            .substitute("[smtp.provider.example]:587", "[127.0.0.1]:10587")
            .writeTo(conf, port -> port + 10000);

        assertThat(ports).containsEntry(25, 10025).containsEntry(9999, 19999);
        assertThat(Files.readString(conf.resolve("smtpserver.xml"))).isEqualTo("<smtpserver><bind>127.0.0.1:10025</bind></smtpserver>");
        assertThat(Files.readString(conf.resolve("relaypack.xml"))).isEqualTo("<host>[127.0.0.1]:10587</host>");
        assertThat(Files.readString(conf.resolve("jmx.properties"))).isEqualTo("jmx.port=19999\n");
    }

    @Test
    void aFileThatCannotBeWrittenShouldBeNamed() throws Exception {
        Files.writeString(sample.resolve("domainlist.xml"), "<domainlist/>");
        Files.createDirectories(conf.resolve("domainlist.xml"));

        assertThatThrownBy(() -> new ConfSample(sample).writeTo(conf, port -> port))
            .hasMessageContaining("Cannot copy conf-sample file " + sample.resolve("domainlist.xml"));
    }
}
