package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Response;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.XmlConfigurations;
import org.relaypack.tls.TlsProtocolVersion;

class RequireTlsTest {
    private static final String HANDLER = RequireTls.class.getName();

    private static RequireTls testee(String parameters) throws ConfigurationException {
        RequireTls testee = new RequireTls(() -> SmtpListeners.from(XmlConfigurations.parse(SmtpListenersTest.THREE_LISTENERS)));
        testee.init(XmlConfigurations.handler(HANDLER, parameters));
        return testee;
    }

    @Nested
    class Refusals {
        @Test
        void checkShouldRefuseACleartextSession() throws Exception {
            Response response = testee("").check(false, Optional.empty());

            assertThat(response.getRetCode()).isEqualTo("530");
            assertThat(response.getLines()).containsExactly("530 5.7.0 Must issue a STARTTLS command first");
        }

        @Test
        void checkShouldAcceptTls12ByDefault() throws Exception {
            assertThat(testee("").check(true, Optional.of("TLSv1.2"))).isNull();
        }

        @Test
        void checkShouldAcceptTls13ByDefault() throws Exception {
            assertThat(testee("").check(true, Optional.of("TLSv1.3"))).isNull();
        }

        @Test
        void checkShouldRefuseTls11ByDefault() throws Exception {
            Response response = testee("").check(true, Optional.of("TLSv1.1"));

            assertThat(response.getLines()).containsExactly("530 5.7.0 TLS protocol TLSv1.1 is below the minimum TLSv1.2 of this service");
        }

        @Test
        void checkShouldRefuseTls12WhenTheMinimumIs13() throws Exception {
            Response response = testee("<minimumProtocol>TLSv1.3</minimumProtocol>").check(true, Optional.of("TLSv1.2"));

            assertThat(response.getRetCode()).isEqualTo("530");
        }

        @Test
        void checkShouldRefuseAnUnknownProtocol() throws Exception {
            assertThat(testee("").check(true, Optional.empty()).getRetCode()).isEqualTo("530");
        }
    }

    @Nested
    class ConfigurationErrors {
        @Test
        void initShouldRejectAnUnknownProtocol() {
            assertThatThrownBy(() -> testee("<minimumProtocol>TLS1.2</minimumProtocol>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("RequireTls")
                .hasMessageContaining("minimumProtocol")
                .hasMessageContaining("'TLS1.2'");
        }

        @Test
        void initShouldRejectAnUnknownParameter() {
            assertThatThrownBy(() -> testee("<minimumVersion>TLSv1.2</minimumVersion>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("RequireTls")
                .hasMessageContaining("minimumVersion");
        }

        @Test
        void initShouldRejectAListenerWithoutTls() {
            RequireTls testee = new RequireTls(() -> SmtpListeners.from(XmlConfigurations.parse("<smtpservers>"
                + "<smtpserver><jmxName>submission</jmxName><bind>0.0.0.0:587</bind><tls socketTLS=\"false\" startTLS=\"false\"/>"
                + "<handlerchain><handler class=\"" + HANDLER + "\"/></handlerchain></smtpserver></smtpservers>")));

            assertThatThrownBy(() -> testee.init(XmlConfigurations.handler(HANDLER, "")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("smtpserver 'submission' (port 587)")
                .hasMessageContaining("startTLS=\"true\"");
        }

        @Test
        void initShouldAcceptAListenerWithoutTlsThatDoesNotUseTheHandler() throws Exception {
            RequireTls testee = new RequireTls(() -> SmtpListeners.from(XmlConfigurations.parse("<smtpservers>"
                + "<smtpserver><jmxName>mx</jmxName><bind>0.0.0.0:25</bind></smtpserver>"
                + "<smtpserver><jmxName>submissions</jmxName><bind>0.0.0.0:465</bind><tls socketTLS=\"true\"/>"
                + "<handlerchain><handler class=\"" + HANDLER + "\"/></handlerchain></smtpserver></smtpservers>")));

            testee.init(XmlConfigurations.handler(HANDLER, ""));

            assertThat(testee.configuration()).isEqualTo(new RequireTlsConfiguration(TlsProtocolVersion.TLS_V1_2));
        }
    }
}
