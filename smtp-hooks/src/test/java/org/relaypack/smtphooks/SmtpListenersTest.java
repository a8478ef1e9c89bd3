package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.relaypack.tls.TlsMode;
import org.relaypack.testing.XmlConfigurations;

import com.google.common.collect.ImmutableList;

class SmtpListenersTest {
    static final String THREE_LISTENERS = "<smtpservers>"
        + "<smtpserver enabled=\"true\"><jmxName>mx</jmxName><bind>0.0.0.0:25</bind>"
        + "<tls socketTLS=\"false\" startTLS=\"true\"/><handlerchain><handler class=\"org.relaypack.smtphooks.TlsFactsMessageHook\"/></handlerchain></smtpserver>"
        + "<smtpserver enabled=\"true\"><jmxName>submissions</jmxName><bind>127.0.0.1:465</bind>"
        + "<tls socketTLS=\"true\" startTLS=\"false\"/><handlerchain><handler class=\"org.relaypack.smtphooks.RequireTls\"/></handlerchain></smtpserver>"
        + "<smtpserver enabled=\"true\"><jmxName>submission</jmxName><bind>127.0.0.1:587</bind>"
        + "<tls socketTLS=\"false\" startTLS=\"true\"/><handlerchain><handler class=\"org.relaypack.smtphooks.RequireTls\"/>"
        + "<handler class=\"org.relaypack.smtphooks.NoCleartextAuth\"/></handlerchain></smtpserver>"
        + "<smtpserver enabled=\"false\"><jmxName>off</jmxName><bind>0.0.0.0:2525</bind></smtpserver>"
        + "</smtpservers>";

    @Test
    void fromShouldReadNamePortsTlsModeAndHandlersOfEnabledListeners() throws Exception {
        SmtpListeners testee = SmtpListeners.from(XmlConfigurations.parse(THREE_LISTENERS));

        assertThat(testee.all()).containsExactly(
            new SmtpListener("mx", ImmutableList.of(25), TlsMode.OPPORTUNISTIC,
                ImmutableList.of(TlsFactsMessageHook.class.getName())),
            new SmtpListener("submissions", ImmutableList.of(465), TlsMode.IMPLICIT,
                ImmutableList.of(RequireTls.class.getName())),
            new SmtpListener("submission", ImmutableList.of(587), TlsMode.STARTTLS_REQUIRED,
                ImmutableList.of(RequireTls.class.getName(), NoCleartextAuth.class.getName())));
    }

    @Test
    void withHandlerShouldListOnlyListenersWhoseChainHasIt() throws Exception {
        SmtpListeners testee = SmtpListeners.from(XmlConfigurations.parse(THREE_LISTENERS));

        assertThat(testee.withHandler(RequireTls.class)).extracting(SmtpListener::jmxName)
            .containsExactly("submissions", "submission");
    }

    @Test
    void onPortShouldFindTheListenerBoundToIt() throws Exception {
        SmtpListeners testee = SmtpListeners.from(XmlConfigurations.parse(THREE_LISTENERS));

        assertThat(testee.onPort(587)).map(SmtpListener::jmxName).contains("submission");
        assertThat(testee.onPort(2525)).isEmpty();
    }

    @Test
    void fromShouldDefaultJmxNameAndTlsMode() throws Exception {
        SmtpListeners testee = SmtpListeners.from(XmlConfigurations.parse("<smtpservers><smtpserver><bind>0.0.0.0:2525</bind></smtpserver></smtpservers>"));

        assertThat(testee.all()).containsExactly(
            new SmtpListener("smtpserver", ImmutableList.of(2525), TlsMode.NONE, ImmutableList.of()));
    }

    @Test
    void fromShouldRejectAnUnparsableBind() {
        assertThatThrownBy(() -> SmtpListeners.from(XmlConfigurations.parse(
                "<smtpservers><smtpserver><jmxName>x</jmxName><bind>0.0.0.0:smtp</bind></smtpserver></smtpservers>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("'x'")
            .hasMessageContaining("0.0.0.0:smtp");
    }
}
