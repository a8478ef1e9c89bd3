package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.user.api.UsersRepository;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.XmlConfigurations;

class SenderBoundToLoginTest {
    private static final Username ALICE = Username.of("alice@example.org");

    /** A users repository with or without virtual hosting, mapping an address to itself (as James's does with it). */
    private static UsersRepository usersRepository(boolean virtualHosting) {
        return (UsersRepository) Proxy.newProxyInstance(SenderBoundToLoginTest.class.getClassLoader(), new Class<?>[] {UsersRepository.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "supportVirtualHosting":
                        return virtualHosting;
                    case "getUsername":
                        return Username.of(((MailAddress) args[0]).asString());
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    /** Alice may send as herself only. */
    private static CanSendFrom canSendFrom() {
        return (CanSendFrom) Proxy.newProxyInstance(SenderBoundToLoginTest.class.getClassLoader(), new Class<?>[] {CanSendFrom.class},
            (proxy, method, args) -> {
                if (method.getName().equals("userCanSendFrom")) {
                    return args[0].equals(args[1]);
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    private static SenderBoundToLogin testee(boolean virtualHosting) throws ConfigurationException {
        SenderBoundToLogin testee = new SenderBoundToLogin(usersRepository(virtualHosting), canSendFrom());
        testee.init(XmlConfigurations.handler(SenderBoundToLogin.class.getName(), ""));
        return testee;
    }

    @Test
    void initShouldRefuseToStartWithoutVirtualHosting() {
        // Without it, a login is a bare local part: alice could send as alice@anydomain.
        assertThatThrownBy(() -> testee(false))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("SenderBoundToLogin: virtual hosting is off")
            .hasMessageContaining("<enableVirtualHosting>true</enableVirtualHosting>");
    }

    @Test
    void anotherUsersSenderShouldBeRefusedAndLoggedWithTheClientAddressAndTheLocalPort() throws Exception {
        SenderBoundToLogin testee = testee(true);

        try (LogCapture log = LogCapture.of(SenderBoundToLogin.class)) {
            HookResult result = testee.doMail(FakeSession.of(true, Optional.of(ALICE)), MaybeSender.getMailSender("bob@example.org"));

            assertThat(result.getSmtpRetCode()).isEqualTo("550");
            assertThat(result.getSmtpDescription()).isEqualTo("5.7.1 Sender address <bob@example.org> is not owned by user alice@example.org");
            assertThat(log.messages()).containsExactly("Refused MAIL FROM:<bob@example.org> of user alice@example.org "
                + "from /127.0.0.1:40000 on port 587: 5.7.1 Sender address <bob@example.org> is not owned by user alice@example.org");
        }
    }

    @Test
    void theUsersOwnAddressShouldPass() throws Exception {
        assertThat(testee(true).doMail(FakeSession.of(true, Optional.of(ALICE)), MaybeSender.getMailSender("alice@example.org")))
            .isEqualTo(HookResult.DECLINED);
    }
}
