package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.util.HashMap;
import java.util.Map;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableMap;

class RrtRouteSourceTest {
    /** Mailbox servers' own domains, as in the documented recipe. */
    static final String HOP_DOMAIN_SUFFIX = ".mailboxes.example.net";

    MemoryRecipientRewriteTable rrt;
    MemoryDomainList domainList;
    final Map<Domain, String> domainRoutes = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        domainList = new MemoryDomainList(new InMemoryDNSService());
        domainList.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false).build());
        domainList.addDomain(Domain.of("example.com"));
        domainList.addDomain(Domain.of("other.org"));
        rrt = new MemoryRecipientRewriteTable();
        rrt.setConfiguration(RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
        rrt.setDomainList(domainList);
        rrt.setUserEntityValidator(org.apache.james.UserEntityValidator.NOOP);
        rrt.setUsersRepository(org.apache.james.user.memory.MemoryUsersRepository.withVirtualHosting(domainList));
    }

    RrtRouteSource testee() {
        return new RrtRouteSource(rrt, ImmutableMap.copyOf(domainRoutes));
    }

    /** james-cli AddAddressMapping user domain target */
    void addAddressMapping(MailAddress source, MailAddress target) throws Exception {
        rrt.addAddressMapping(MappingSource.fromUser(Username.of(source.asString())), target.asString());
    }

    @Nested
    class Contract implements RouteSourceContract {
        @Override
        public void givenRoute(MailAddress recipient, String hop) throws Exception {
            Domain hopDomain = Domain.of(hop + HOP_DOMAIN_SUFFIX);
            domainRoutes.put(hopDomain, hop);
            addAddressMapping(recipient, new MailAddress(recipient.getLocalPart(), hopDomain));
        }

        @Override
        public void givenRewrittenRoute(MailAddress recipient, String hop, MailAddress rewritten) throws Exception {
            domainRoutes.put(rewritten.getDomain(), hop);
            addAddressMapping(recipient, rewritten);
        }

        @Override
        public void givenDomainRoute(Domain domain, String hop) {
            domainRoutes.put(domain, hop);
        }

        @Override
        public RouteSource testee() {
            return RrtRouteSourceTest.this.testee();
        }
    }

    @Test
    void theDocumentedRecipeShouldRouteByTheDomainOfTheMappedAddress() throws Exception {
        // james-cli AddDomain example.com (done in setUp)
        // james-cli AddAddressMapping alice example.com alice@mbox1.example.com
        // james-cli AddAddressMapping bob example.com bob@mbox2.example.com
        addAddressMapping(address("alice@example.com"), address("alice@mbox1.example.com"));
        addAddressMapping(address("bob@example.com"), address("bob@mbox2.example.com"));
        // relaypack.xml <rrt><domain name="mbox1.example.com" hop="server1"/><domain name="mbox2.example.com" hop="server2"/></rrt>
        domainRoutes.put(Domain.of("mbox1.example.com"), "server1");
        domainRoutes.put(Domain.of("mbox2.example.com"), "server2");

        assertThat(testee().lookup(address("alice@example.com")).route())
            .contains(Route.to("server1", address("alice@mbox1.example.com")));
        assertThat(testee().lookup(address("bob@example.com")).route())
            .contains(Route.to("server2", address("bob@mbox2.example.com")));
        assertThat(testee().lookup(address("carol@example.com"))).isEqualTo(RouteLookup.noRoute());
    }

    @Test
    void aDomainMappingShouldRouteEveryUserOfTheDomain() throws Exception {
        rrt.addDomainMapping(MappingSource.fromDomain(Domain.of("example.com")), Domain.of("mbox1.example.com"));
        domainRoutes.put(Domain.of("mbox1.example.com"), "server1");

        assertThat(testee().lookup(address("carol@example.com")).route())
            .contains(Route.to("server1", address("carol@mbox1.example.com")));
    }

    @Test
    void anErrorMappingShouldMeanNoSuchUser() throws Exception {
        rrt.addErrorMapping(MappingSource.fromUser(Username.of("gone@example.com")), "550 gone");
        domainRoutes.put(Domain.of("example.com"), "server1");

        assertThat(testee().lookup(address("gone@example.com"))).isEqualTo(RouteLookup.noRoute());
        assertThat(testee().lookup(address("alice@example.com")).route()).contains(Route.to("server1"));
    }

    @Test
    void aGroupShouldBeATemporaryFailureNotAGuess() throws Exception {
        rrt.addGroupMapping(MappingSource.fromUser(Username.of("team@example.com")), "alice@mbox1.example.com");
        rrt.addGroupMapping(MappingSource.fromUser(Username.of("team@example.com")), "bob@mbox2.example.com");
        domainRoutes.put(Domain.of("mbox1.example.com"), "server1");
        domainRoutes.put(Domain.of("mbox2.example.com"), "server2");

        RouteLookup lookup = testee().lookup(address("team@example.com"));

        assertThat(lookup.isTemporaryFailure()).isTrue();
        assertThat(lookup.failureReason().get()).contains("2 addresses");
    }

    @Test
    void aFailingTableShouldBeATemporaryFailure() {
        MemoryRecipientRewriteTable unconfigured = new MemoryRecipientRewriteTable();

        RouteLookup lookup = new RrtRouteSource(unconfigured, ImmutableMap.of(Domain.of("example.com"), "server1"))
            .lookup(address("alice@example.com"));

        assertThat(lookup.isTemporaryFailure()).isTrue();
    }
}
