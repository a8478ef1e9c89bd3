package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.XmlConfigurations;

class HandlerParameterRulesTest {
    @Test
    void boolShouldReadExactlyTrueAndFalse() throws Exception {
        assertThat(SenderBoundToLoginConfiguration.from(XmlConfigurations.handler(SenderBoundToLogin.class.getName(),
            "<checkFromHeader>true</checkFromHeader>")).checkFromHeader()).isTrue();
    }

    @Test
    void boolShouldDefaultWhenAbsent() throws Exception {
        assertThat(SenderBoundToLoginConfiguration.from(XmlConfigurations.handler(SenderBoundToLogin.class.getName(), "")).checkFromHeader()).isFalse();
    }

    @Test
    void boolShouldRejectAnythingElse() {
        SenderBoundToLogin testee = new SenderBoundToLogin(null, null);

        assertThatThrownBy(() -> testee.init(XmlConfigurations.handler(SenderBoundToLogin.class.getName(), "<checkFromHeader>yes</checkFromHeader>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("SenderBoundToLogin: checkFromHeader 'yes' must be true or false");
    }

    @Test
    void noCleartextAuthShouldRejectAnyParameter() {
        assertThatThrownBy(() -> new NoCleartextAuth().init(XmlConfigurations.handler(NoCleartextAuth.class.getName(), "<requireSSL>true</requireSSL>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("NoCleartextAuth: unknown parameter requireSSL='true' (allowed: none)");
    }
}
