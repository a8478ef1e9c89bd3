package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.XmlConfigurations;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

class RequireAuthenticationTest {
    private static final MaybeSender SENDER = MaybeSender.getMailSender("alice@example.org");

    private static InetSocketAddress client(String address) {
        return new InetSocketAddress(InetAddresses.forString(address), 40000);
    }

    private static RequireAuthentication testee(String parameters) throws ConfigurationException {
        RequireAuthentication testee = new RequireAuthentication();
        testee.init(XmlConfigurations.handler(RequireAuthentication.class.getName(), parameters));
        return testee;
    }

    @Test
    void checkShouldRefuseAnUnauthenticatedClientEvenFromLoopback() throws Exception {
        HookResult result = testee("").check(false, client("127.0.0.1"), 587, SENDER);

        assertThat(result.getSmtpRetCode()).isEqualTo("530");
        assertThat(result.getSmtpDescription()).isEqualTo("5.7.0 Authentication required");
    }

    @Test
    void aRefusalShouldBeLoggedWithTheClientAddressAndTheLocalPort() throws Exception {
        try (LogCapture log = LogCapture.of(RequireAuthentication.class)) {
            testee("").check(false, client("192.0.2.7"), 4587, SENDER);

            assertThat(log.messages()).containsExactly(
                "Refused MAIL FROM:<alice@example.org> without AUTH from /192.0.2.7:40000 on port 4587");
        }
    }

    @Test
    void checkShouldLetAnAuthenticatedClientThrough() throws Exception {
        assertThat(testee("").check(true, client("198.51.100.7"), 587, SENDER)).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void checkShouldLetAnExplicitlyAllowedNetworkThrough() throws Exception {
        RequireAuthentication testee = testee("<allowedNetworks>192.0.2.0/24, ::1</allowedNetworks>");

        assertThat(testee.check(false, client("192.0.2.200"), 587, SENDER)).isEqualTo(HookResult.DECLINED);
        assertThat(testee.check(false, client("::1"), 587, SENDER)).isEqualTo(HookResult.DECLINED);
        assertThat(testee.check(false, client("192.0.3.1"), 587, SENDER).getSmtpRetCode()).isEqualTo("530");
    }

    @Test
    void initShouldParseTheNetworks() throws Exception {
        assertThat(testee("<allowedNetworks>192.0.2.0/24, ::1</allowedNetworks>").configuration())
            .isEqualTo(new RequireAuthenticationConfiguration(ImmutableList.of(Network.parse("192.0.2.0/24"), Network.parse("::1/128"))));
    }

    @Test
    void initShouldDefaultToNoNetwork() throws Exception {
        assertThat(testee("").configuration().allowedNetworks()).isEmpty();
    }

    @Test
    void initShouldRejectABadNetwork() {
        assertThatThrownBy(() -> testee("<allowedNetworks>192.0.2.0/24,10.0.0.0/33</allowedNetworks>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("RequireAuthentication")
            .hasMessageContaining("allowedNetworks")
            .hasMessageContaining("'10.0.0.0/33'");
    }

    @Test
    void initShouldRejectAHostName() {
        assertThatThrownBy(() -> testee("<allowedNetworks>localhost</allowedNetworks>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("'localhost'");
    }

    @Test
    void initShouldRejectAnEmptyValue() {
        assertThatThrownBy(() -> testee("<allowedNetworks> </allowedNetworks>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("allowedNetworks");
    }
}
