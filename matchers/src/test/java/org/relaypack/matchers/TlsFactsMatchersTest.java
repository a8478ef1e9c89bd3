package org.relaypack.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relaypack.tls.TlsFacts;

class TlsFactsMatchersTest {
    private static final MailAddress BOB = address("bob@example.org");
    private static final MailAddress CAROL = address("carol@example.net");

    private static <T extends Matcher> T init(T matcher, String name, String condition) throws MessagingException {
        FakeMatcherConfig.Builder config = FakeMatcherConfig.builder().matcherName(name);
        if (condition != null) {
            config.condition(condition);
        }
        matcher.init(config.build());
        return matcher;
    }

    private static FakeMail mail(Attribute... attributes) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail1").recipients(BOB, CAROL);
        for (Attribute attribute : attributes) {
            builder.attribute(attribute);
        }
        return builder.build();
    }

    @Nested
    class SubmittedOverTlsTest {
        @Test
        void shouldMatchAllRecipientsWhenTlsWasUsed() throws Exception {
            SubmittedOverTls testee = init(new SubmittedOverTls(), "SubmittedOverTls", null);

            assertThat(testee.match(mail(new Attribute(TlsFacts.TLS_USED, AttributeValue.of(true)))))
                .containsExactlyInAnyOrder(BOB, CAROL);
        }

        @Test
        void shouldNotMatchCleartextMail() throws Exception {
            SubmittedOverTls testee = init(new SubmittedOverTls(), "SubmittedOverTls", null);

            assertThat(testee.match(mail(new Attribute(TlsFacts.TLS_USED, AttributeValue.of(false))))).isEmpty();
        }

        @Test
        void shouldNotMatchMailWithoutTlsFacts() throws Exception {
            SubmittedOverTls testee = init(new SubmittedOverTls(), "SubmittedOverTls", null);

            assertThat(testee.match(mail())).isEmpty();
        }

        @Test
        void initShouldRejectACondition() {
            assertThatThrownBy(() -> init(new SubmittedOverTls(), "SubmittedOverTls", "true"))
                .isInstanceOf(MessagingException.class)
                .hasMessage("SubmittedOverTls takes no condition, got 'true'");
        }
    }

    @Nested
    class AuthenticatedSubmissionTest {
        @Test
        void shouldMatchWhenAUserAuthenticated() throws Exception {
            AuthenticatedSubmission testee = init(new AuthenticatedSubmission(), "AuthenticatedSubmission", null);

            assertThat(testee.match(mail(new Attribute(TlsFacts.AUTH_USER, AttributeValue.of("alice@example.org")))))
                .containsExactlyInAnyOrder(BOB, CAROL);
        }

        @Test
        void shouldNotMatchAnonymousMail() throws Exception {
            AuthenticatedSubmission testee = init(new AuthenticatedSubmission(), "AuthenticatedSubmission", null);

            assertThat(testee.match(mail(new Attribute(TlsFacts.TLS_USED, AttributeValue.of(true))))).isEmpty();
        }
    }

    @Nested
    class ReceivedOnPortTest {
        @Test
        void shouldMatchAListedPort() throws Exception {
            ReceivedOnPort testee = init(new ReceivedOnPort(), "ReceivedOnPort", "465, 587");

            assertThat(testee.match(mail(new Attribute(TlsFacts.LOCAL_PORT, AttributeValue.of(587)))))
                .containsExactlyInAnyOrder(BOB, CAROL);
        }

        @Test
        void shouldNotMatchAnotherPort() throws Exception {
            ReceivedOnPort testee = init(new ReceivedOnPort(), "ReceivedOnPort", "465,587");

            assertThat(testee.match(mail(new Attribute(TlsFacts.LOCAL_PORT, AttributeValue.of(25))))).isEmpty();
        }

        @Test
        void shouldNotMatchWithoutPortFact() throws Exception {
            ReceivedOnPort testee = init(new ReceivedOnPort(), "ReceivedOnPort", "587");

            assertThat(testee.match(mail())).isEmpty();
        }

        @Test
        void initShouldRequireACondition() {
            assertThatThrownBy(() -> init(new ReceivedOnPort(), "ReceivedOnPort", null))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("ReceivedOnPort");
        }

        @Test
        void initShouldRejectANonNumericPort() {
            assertThatThrownBy(() -> init(new ReceivedOnPort(), "org.relaypack.matchers.ReceivedOnPort", "587,smtp"))
                .isInstanceOf(MessagingException.class)
                .hasMessage("ReceivedOnPort: invalid condition '587,smtp': 'smtp' is not a port number");
        }

        @Test
        void initShouldRejectAPortOutOfRange() {
            assertThatThrownBy(() -> init(new ReceivedOnPort(), "ReceivedOnPort", "70000"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("70000");
        }
    }

    @Nested
    class ReceivedOnListenerTest {
        @Test
        void shouldMatchANamedListener() throws Exception {
            ReceivedOnListener testee = init(new ReceivedOnListener(), "ReceivedOnListener", "submissions,submission");

            assertThat(testee.match(mail(new Attribute(TlsFacts.LISTENER, AttributeValue.of("submission")))))
                .containsExactlyInAnyOrder(BOB, CAROL);
        }

        @Test
        void shouldNotMatchAnotherListener() throws Exception {
            ReceivedOnListener testee = init(new ReceivedOnListener(), "ReceivedOnListener", "submission");

            assertThat(testee.match(mail(new Attribute(TlsFacts.LISTENER, AttributeValue.of("mx"))))).isEmpty();
        }

        @Test
        void initShouldRejectAnEmptyName() {
            assertThatThrownBy(() -> init(new ReceivedOnListener(), "ReceivedOnListener", "submission,,mx"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("ReceivedOnListener");
        }
    }

    @Nested
    class TlsProtocolAtLeastTest {
        /** The condition, the session's protocol, and whether all recipients match (an unknown name never does). */
        @ParameterizedTest(name = "at least {0}, got {1}: {2}")
        @CsvSource({
            "TLSv1.2, TLSv1.2, true",
            "TLSv1.2, TLSv1.3, true",
            "TLSv1.3, TLSv1.2, false",
            "TLSv1,   NONE,    false"})
        void shouldMatchTheMinimumAndStrongerProtocolsOnly(String condition, String protocol, boolean matches) throws Exception {
            TlsProtocolAtLeast testee = init(new TlsProtocolAtLeast(), "TlsProtocolAtLeast", condition);

            assertThat(testee.match(mail(new Attribute(TlsFacts.PROTOCOL, AttributeValue.of(protocol)))))
                .containsExactlyInAnyOrderElementsOf(matches ? List.of(BOB, CAROL) : List.of());
        }

        @Test
        void shouldNotMatchWithoutTls() throws Exception {
            TlsProtocolAtLeast testee = init(new TlsProtocolAtLeast(), "TlsProtocolAtLeast", "TLSv1");

            assertThat(testee.match(mail(new Attribute(TlsFacts.TLS_USED, AttributeValue.of(false))))).isEmpty();
        }

        @Test
        void initShouldRejectAnUnknownVersion() {
            assertThatThrownBy(() -> init(new TlsProtocolAtLeast(), "TlsProtocolAtLeast", "TLS1.2"))
                .isInstanceOf(MessagingException.class)
                .hasMessage("TlsProtocolAtLeast: invalid condition 'TLS1.2': expected one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3");
        }
    }
}
