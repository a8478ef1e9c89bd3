package org.relaypack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HopLimitTest {
    private FakeMailContext context;
    private HopLimit testee;

    @BeforeEach
    void setUp() {
        context = FakeMailContext.defaultContext();
        testee = new HopLimit();
    }

    private Mail mailWithHops(int hops) throws MessagingException {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("loop?").setText("body");
        for (int i = 0; i < hops; i++) {
            message.addHeader("Received", "from relay" + i + ".example by relay" + (i + 1) + ".example; Sat, 28 Nov 2026 11:00:00 +0000");
        }
        MimeMessage mimeMessage = message.build();
        return FakeMail.builder().name("mail1").sender("a@lan.example").recipient("b@remote.example")
            .mimeMessage(mimeMessage).state(Mail.DEFAULT).build();
    }

    @Test
    void serviceShouldLeaveMailUnderTheLimitAlone() throws Exception {
        testee.init(FakeMailetConfig.builder().mailetName("loop").mailetContext(context).setProperty("maxHops", "3").build());
        Mail mail = mailWithHops(3);

        testee.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void serviceShouldSendLoopingMailToTheProcessorWithA546Error() throws Exception {
        testee.init(FakeMailetConfig.builder().mailetName("loop").mailetContext(context)
            .setProperty("maxHops", "3").setProperty("processor", "bounces").build());
        Mail mail = mailWithHops(4);

        testee.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        assertThat(context.getSentMails().get(0).getState()).isEqualTo("bounces");
        assertThat(mail.getErrorMessage()).startsWith("5.4.6 Too many hops: 4 Received headers, the limit is 3");
    }

    @Test
    void defaultsShouldBePostfixHopcountLimitAndErrorProcessor() throws Exception {
        testee.init(FakeMailetConfig.builder().mailetName("loop").mailetContext(context).build());
        Mail underLimit = mailWithHops(50);
        Mail overLimit = mailWithHops(51);

        testee.service(underLimit);
        testee.service(overLimit);

        assertThat(underLimit.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(context.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("error");
        assertThat(testee.requiredProcessingState()).containsExactly(new ProcessingState("error"));
    }

    @Nested
    class ConfigurationErrors {
        @Test
        void initShouldRejectANonNumericMaxHops() {
            assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("loop").setProperty("maxHops", "fifty").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessage("HopLimit mailet 'loop': maxHops 'fifty' is not a whole number");
        }

        @Test
        void initShouldRejectAZeroMaxHops() {
            assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("loop").setProperty("maxHops", "0").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessage("HopLimit mailet 'loop': maxHops '0' out of range 1-1000");
        }

        @Test
        void initShouldRejectAnUnknownParameter() {
            assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("loop").setProperty("maxHop", "5").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("HopLimit mailet 'loop': unknown parameter maxHop=");
        }
    }
}
