package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.relaypack.testing.XmlConfigurations;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class RoutingConfigurationTest {
    static final String NEW_FORM = "<relaypack><routing domains=\"example.com, example.org\" localNames=\"mx1.example.com\"><sources>"
        + "<file path=\"file://conf/routes.txt\" reloadInterval=\"30s\"/>"
        + "<ldap url=\"ldap://ldap1.example.com, ldap://ldap2.example.com\" baseDN=\"dc=example,dc=com\" bindDN=\"cn=relay,dc=example,dc=com\""
        + " bindPassword=\"hunter2\" domainLookup=\"false\"><hostMap><host name=\"mbox1.internal\" hop=\"server1\"/></hostMap></ldap>"
        + "<rrt><domain name=\"mbox2.example.com\" hop=\"server2\"/></rrt>"
        + "<placement><hop>server1</hop><hop>server2</hop></placement>"
        + "</sources></routing></relaypack>";
    static final String OLD_FORM = "<relaypack><routing><domains><domain>example.com</domain><domain>example.org</domain></domains>"
        + "<localNames><name>mx1.example.com</name></localNames><sources>"
        + "<file><path>file://conf/routes.txt</path><reloadInterval>30s</reloadInterval></file>"
        + "<ldap><url>ldap://ldap1.example.com</url><url>ldap://ldap2.example.com</url><baseDN>dc=example,dc=com</baseDN>"
        + "<bindDN>cn=relay,dc=example,dc=com</bindDN><bindPassword>hunter2</bindPassword><domainLookup>false</domainLookup>"
        + "<hostMap><host name=\"mbox1.internal\" hop=\"server1\"/></hostMap></ldap>"
        + "<rrt><domain name=\"mbox2.example.com\" hop=\"server2\"/></rrt>"
        + "<placement><hop>server1</hop><hop>server2</hop></placement>"
        + "</sources></routing></relaypack>";

    static List<String> warningsWhile(ThrowingRunnable action) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RoutingConfiguration.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            action.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theAttributeFormShouldBeReadWithoutWarning() throws Exception {
        List<String> warnings = warningsWhile(() -> {
            RoutingConfiguration testee = RoutingConfiguration.from(XmlConfigurations.parse(NEW_FORM));

            assertThat(testee.domains()).containsExactly(Domain.of("example.com"), Domain.of("example.org"));
            assertThat(testee.localNames()).containsExactly("mx1.example.com");
            assertThat(testee.sourceOrder()).containsExactly("file", "ldap", "rrt", "placement");
            assertThat(testee.ldap().orElseThrow().urls()).hasSize(2);
            assertThat(testee.ldap().orElseThrow().hostMap()).containsEntry("mbox1.internal", "server1");
            assertThat(testee.placement()).contains(ImmutableList.of("server1", "server2"));
        });

        assertThat(warnings).isEmpty();
    }

    @Test
    void theOldChildElementFormShouldBeReadAsTheSameConfiguration() throws Exception {
        assertThat(RoutingConfiguration.from(XmlConfigurations.parse(OLD_FORM)))
            .isEqualTo(RoutingConfiguration.from(XmlConfigurations.parse(NEW_FORM)));
    }

    @Test
    void theOldFormShouldWarnShowingTheNewFormWithoutTheBindPassword() throws Exception {
        List<String> warnings = warningsWhile(() -> RoutingConfiguration.from(XmlConfigurations.parse(OLD_FORM)));

        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0))
            .startsWith("relaypack.xml/<routing> is written in the old style, with its parameters as child elements")
            .contains("<routing ", " domains=\"example.com, example.org\"", " localNames=\"mx1.example.com\"",
                " path=\"file://conf/routes.txt\"", " reloadInterval=\"30s\"",
                "url=\"ldap://ldap1.example.com, ldap://ldap2.example.com\"", "bindPassword=\"...\"",
                "<placement><hop>server1</hop><hop>server2</hop></placement>")
            .doesNotContain("hunter2");
    }

    @Test
    void anEmptySourcesElementShouldBeAnErrorNotTheOldForm() throws Exception {
        List<String> warnings = warningsWhile(() -> assertThatThrownBy(() -> RoutingConfiguration.from(XmlConfigurations.parse(
                "<relaypack><routing domains=\"example.com\"><sources/></routing></relaypack>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("relaypack.xml/<routing>/<sources>: needs at least one of <file>, <ldap>, <rrt>, <placement>"));

        assertThat(warnings).isEmpty();
    }

    @Test
    void theOldFormShouldStillBeCheckedStrictly() {
        assertThatThrownBy(() -> RoutingConfiguration.from(XmlConfigurations.parse(
                "<relaypack><routing><domains><domain>example.com</domain></domains><sources>"
                    + "<file><path>file://conf/routes.txt</path><reloadIntervall>30s</reloadIntervall></file></sources></routing></relaypack>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("relaypack.xml/<routing>/<sources>/<file>: unknown attribute reloadIntervall='30s' (allowed: path, reloadInterval)");
    }
}
