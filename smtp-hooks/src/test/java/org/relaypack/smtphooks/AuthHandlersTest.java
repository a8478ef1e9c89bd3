package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthHandlersTest {
    private static final BaseRequest AUTH_PLAIN = new BaseRequest("AUTH", "PLAIN AGFsaWNlAHNlY3JldA==");

    @Nested
    class NoCleartextAuthTest {
        private final NoCleartextAuth testee = new NoCleartextAuth();

        @Test
        void authInCleartextShouldGet538() {
            Response response = testee.onCommand(FakeSession.of(false, Optional.empty()), AUTH_PLAIN);

            assertThat(response.getLines()).containsExactly("538 5.7.11 Encryption required for requested authentication mechanism");
        }

        @Test
        void authOverTlsShouldBeLeftToJames() {
            assertThat(testee.onCommand(FakeSession.of(true, Optional.empty()), AUTH_PLAIN)).isNull();
        }

        @Test
        void itShouldOnlyHandleAuth() {
            assertThat(testee.getImplCommands()).containsExactly("AUTH");
        }
    }

    @Nested
    class RefuseAuthTest {
        private final RefuseAuth testee = new RefuseAuth();

        @Test
        void authShouldBeRefusedEvenOverTls() {
            Response response = testee.onCommand(FakeSession.of(true, Optional.empty()), AUTH_PLAIN);

            assertThat(response.getLines()).containsExactly("502 5.5.1 Authentication is not available on this service");
        }
    }

    @Nested
    class RequireTlsCommandsTest {
        @Test
        void itShouldGuardMailRcptDataAndAuthOnly() {
            RequireTls testee = new RequireTls(() -> null);

            assertThat(testee.getImplCommands()).containsExactlyInAnyOrder("MAIL", "RCPT", "DATA", "AUTH");
        }
    }

    @Nested
    class TlsReceivedDataLineFilterTest {
        private final TlsReceivedDataLineFilter testee = new TlsReceivedDataLineFilter();

        /** Over TLS, the service type of the Received header gains its S (RFC 3848); in cleartext it stays as James writes it. */
        @ParameterizedTest(name = "TLS {0}, user [{1}]: {2}")
        @CsvSource({
            "true,  ,                  ESMTPS",
            "true,  alice@example.org, ESMTPSA",
            "false, ,                  ESMTP",
            "false, alice@example.org, ESMTPA"})
        void ehloShouldGetTheServiceTypeOfItsTlsAndAuth(boolean tls, String user, String serviceType) {
            assertThat(testee.getServiceType(FakeSession.of(tls, Optional.ofNullable(user).map(Username::of)), "EHLO")).isEqualTo(serviceType);
        }

        @Test
        void theTlsClauseShouldFollowTheForClauseBeforeTheSemicolon() {
            ReceivedDataLineFilter.Header header = new ReceivedDataLineFilter.Header("Received", "from localhost (EHLO c.example) ([127.0.0.1])")
                .add("by mail.example.org (JAMES SMTP Server ) with ESMTPSA ID 1")
                .add("for <carol@remote.example>;")
                .add("Mon, 30 Nov 2026 16:00:00 +0000 (UTC)");

            TlsReceivedDataLineFilter.addTlsClause(header, "TLSv1.3", "TLS_AES_256_GCM_SHA384");

            assertThat(header.values).containsExactly("from localhost (EHLO c.example) ([127.0.0.1])",
                "by mail.example.org (JAMES SMTP Server ) with ESMTPSA ID 1",
                "for <carol@remote.example>",
                "tls TLS_AES_256_GCM_SHA384 (TLSv1.3);",
                "Mon, 30 Nov 2026 16:00:00 +0000 (UTC)");
        }

        @Test
        void theTlsClauseShouldFollowTheIdClauseWithSeveralRecipients() {
            ReceivedDataLineFilter.Header header = new ReceivedDataLineFilter.Header("Received", "from localhost ([127.0.0.1])")
                .add("by mail.example.org (JAMES SMTP Server ) with ESMTPS ID 1;")
                .add("Mon, 30 Nov 2026 16:00:00 +0000 (UTC)");

            TlsReceivedDataLineFilter.addTlsClause(header, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

            assertThat(header.values).containsExactly("from localhost ([127.0.0.1])",
                "by mail.example.org (JAMES SMTP Server ) with ESMTPS ID 1",
                "tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (TLSv1.2);",
                "Mon, 30 Nov 2026 16:00:00 +0000 (UTC)");
        }

        @Test
        void heloOverTlsShouldStaySmtp() {
            // RFC 3848 has no keyword for TLS without ESMTP
            assertThat(testee.getServiceType(FakeSession.of(true, Optional.empty()), "HELO")).isEqualTo("SMTP");
        }
    }

    @Nested
    class TlsAwareCoreCmdHandlerLoaderTest {
        @Test
        void itShouldListJamesCoreHandlersWithOnlyTheReceivedFilterReplaced() {
            List<String> core = new CoreCmdHandlerLoader().getHandlers();
            List<String> testee = new TlsAwareCoreCmdHandlerLoader().getHandlers();

            assertThat(testee).hasSameSizeAs(core);
            assertThat(testee).contains(TlsReceivedDataLineFilter.class.getName())
                .doesNotContain(ReceivedDataLineFilter.class.getName());
            for (int i = 0; i < core.size(); i++) {
                if (!core.get(i).equals(ReceivedDataLineFilter.class.getName())) {
                    assertThat(testee.get(i)).isEqualTo(core.get(i));
                }
            }
        }
    }
}
