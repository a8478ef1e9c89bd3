package org.relaypack.it.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.apache.james.dnsservice.dnsjava.DNSJavaService;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.AuthoritativeDns;
import org.relaypack.testing.DnsJavaShapedDns;
import org.xbill.DNS.SimpleResolver;

import com.codahale.metrics.MetricRegistry;

/**
 * James's own DNSJavaService against the test's authoritative DNS server, side by side with
 * DnsJavaShapedDns holding the same zone: the double answers as James does (absolute MX names, NXDOMAIN as
 * nothing, null MX as ".", SERVFAIL as TemporaryResolutionException). Also the probe that settles
 * why the James story needs port 53: dnsservice.xml cannot name a port.
 */
class DnsJavaServiceContractTest {
    private static AuthoritativeDns server;
    private static DNSService james;
    private static DnsJavaShapedDns testee;

    /** James's class; only its resolver is pointed at the test server's port after init. */
    private static final class DnsJavaServiceOnPort extends DNSJavaService {
        DnsJavaServiceOnPort(InetSocketAddress server) throws Exception {
            super(new DropWizardMetricFactory(new MetricRegistry()));
            BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
            configuration.addProperty("autodiscover", false);
            configuration.addProperty("setAsDNSJavaDefault", false);
            configuration.addProperty("servers.server", server.getAddress().getHostAddress());
            configure(configuration);
            init();
            SimpleResolver onPort = new SimpleResolver(server);
            onPort.setTimeout(java.time.Duration.ofSeconds(2));
            resolver = onPort;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = AuthoritativeDns.start(InetAddress.getLoopbackAddress(), 0);
        testee = new DnsJavaShapedDns();
        server.mx("example.test", 20, "MX2.example.test").mx("example.test", 10, "mx1.example.test")
            .a("mx1.example.test", "127.0.0.11").a("mx2.example.test", "127.0.0.12").a("mx2.example.test", "127.0.0.13")
            .a("plain.test", "127.0.0.14")
            .nullMx("nomail.test").a("nomail.test", "127.0.0.15")
            .mx("nodata.test", 10, "mx1.example.test").servfail("broken.test").silent("silent.test");
        testee.mx("example.test", "mx1.example.test", "MX2.example.test")
            .address("mx1.example.test", InetAddress.getByName("127.0.0.11"))
            .address("mx2.example.test", InetAddress.getByName("127.0.0.12"), InetAddress.getByName("127.0.0.13"))
            .address("plain.test", InetAddress.getByName("127.0.0.14"))
            .nullMx("nomail.test").address("nomail.test", InetAddress.getByName("127.0.0.15"))
            .mx("nodata.test", "mx1.example.test").servfail("broken.test");
        james = new DnsJavaServiceOnPort(server.address());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void dnsserviceXmlShouldNotTakeAPort() throws Exception {
        DNSJavaService service = new DNSJavaService(new DropWizardMetricFactory(new MetricRegistry()));
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("autodiscover", false);
        configuration.addProperty("setAsDNSJavaDefault", false);
        configuration.addProperty("servers.server", "127.0.0.1:" + server.address().getPort());
        service.configure(configuration);

        assertThatThrownBy(service::init).isInstanceOf(UnknownHostException.class).hasMessageContaining("127.0.0.1:");
    }

    @Test
    void mxTargetsShouldBeAbsoluteNamesInPreferenceOrder() throws Exception {
        assertThat(james.findMXRecords("example.test")).containsExactly("mx1.example.test.", "MX2.example.test.");
        assertThat(james.findMXRecords("example.test.")).containsExactly("mx1.example.test.", "MX2.example.test.");
        assertThat(testee.findMXRecords("example.test")).containsExactly("mx1.example.test.", "MX2.example.test.");
    }

    @Test
    void aDomainWithoutMxShouldAnswerItselfAsAsked() throws Exception {
        assertThat(james.findMXRecords("plain.test")).containsExactly("plain.test");
        assertThat(james.findMXRecords("plain.test.")).containsExactly("plain.test.");
        assertThat(testee.findMXRecords("plain.test")).containsExactly("plain.test");
        assertThat(testee.findMXRecords("plain.test.")).containsExactly("plain.test.");
    }

    @Test
    void nxdomainShouldAnswerNothing() throws Exception {
        assertThat(james.findMXRecords("nowhere.test.")).isEmpty();
        assertThat(testee.findMXRecords("nowhere.test.")).isEmpty();
        assertThatThrownBy(() -> james.getAllByName("nowhere.test.")).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> testee.getAllByName("nowhere.test.")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aNullMxShouldAnswerTheRoot() throws Exception {
        assertThat(james.findMXRecords("nomail.test.")).containsExactly(".");
        assertThat(testee.findMXRecords("nomail.test.")).containsExactly(".");
    }

    @Test
    void servfailShouldBeATemporaryResolutionException() {
        assertThatThrownBy(() -> james.findMXRecords("broken.test.")).isInstanceOf(TemporaryResolutionException.class);
        assertThatThrownBy(() -> testee.findMXRecords("broken.test.")).isInstanceOf(TemporaryResolutionException.class);
        assertThatThrownBy(() -> james.getAllByName("broken.test.")).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> testee.getAllByName("broken.test.")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aTimeoutShouldBeATemporaryResolutionException() {
        assertThatThrownBy(() -> james.findMXRecords("silent.test.")).isInstanceOf(TemporaryResolutionException.class);
        assertThat(server.queries()).contains("MX silent.test.");
    }

    @Test
    void addressesOfAnAbsoluteMxNameShouldBeItsARecords() throws Exception {
        assertThat(james.getAllByName("mx2.example.test.")).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.12", "127.0.0.13");
        assertThat(testee.getAllByName("mx2.example.test.")).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.12", "127.0.0.13");
        assertThat(james.getAllByName("127.0.0.9.")).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.9");
        assertThat(testee.getAllByName("127.0.0.9.")).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.9");
    }

    @Test
    void theServerShouldAnswerOverTcpToo() throws Exception {
        SimpleResolver tcp = new SimpleResolver(server.address());
        tcp.setTCP(true);
        org.xbill.DNS.Message response = tcp.send(org.xbill.DNS.Message.newQuery(
            org.xbill.DNS.Record.newRecord(org.xbill.DNS.Name.fromString("example.test."), org.xbill.DNS.Type.MX, org.xbill.DNS.DClass.IN)));

        assertThat(response.getSection(org.xbill.DNS.Section.ANSWER)).hasSize(2);
    }
}
