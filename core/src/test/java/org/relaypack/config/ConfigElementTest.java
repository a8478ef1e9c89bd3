package org.relaypack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableSet;

class ConfigElementTest {
    static XMLConfiguration xml(String text) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader(text));
        return configuration;
    }

    static ConfigElement element(String attributes) throws Exception {
        return ConfigElement.root(xml("<relaypack><pool " + attributes + "/></relaypack>")).child("pool").orElseThrow();
    }

    static ConfigElement mailet(String name, String value) {
        return ConfigElement.ofMailet("HopLimit mailet 'loop'", FakeMailetConfig.builder().mailetName("loop").setProperty(name, value).build());
    }

    static ConfigElement handler(String body) throws Exception {
        return ConfigElement.ofHandler("RequireTls", xml("<handler class=\"org.relaypack.smtphooks.RequireTls\">" + body + "</handler>"));
    }

    @Nested
    class Errors {
        @Test
        void anErrorShouldNameTheElementTheParameterTheValueAndWhatIsAllowed() throws Exception {
            ConfigElement testee = element("maxConnections=\"0\"");

            assertThatThrownBy(() -> testee.integer("maxConnections", 1, 1000))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: maxConnections '0' out of range 1-1000");
        }

        @Test
        void aMailetParameterErrorShouldNameTheMailet() {
            ConfigElement testee = mailet("maxHops", "fifty");

            assertThatThrownBy(() -> testee.integer("maxHops", 1, 1000))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("HopLimit mailet 'loop': maxHops 'fifty' is not a whole number");
        }

        @Test
        void aHandlerParameterErrorShouldNameTheHandler() throws Exception {
            ConfigElement testee = handler("<minimumProtocol>TLSv9</minimumProtocol>");

            assertThat(testee.error("minimumProtocol", testee.required("minimumProtocol"), "is not one of TLSv1.2, TLSv1.3"))
                .hasMessage("RequireTls: minimumProtocol 'TLSv9' is not one of TLSv1.2, TLSv1.3");
        }

        @Test
        void aPasswordLikeValueShouldNeverBeShown() throws Exception {
            ConfigElement testee = element("pasword=\"hunter2\"");

            assertThatThrownBy(() -> testee.checkAllowed(ImmutableSet.of("username", "password"), ImmutableSet.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: unknown attribute pasword=(value not shown) (allowed: username, password)");
            assertThat(testee.error("bindPassword", "hunter2", "is wrong")).hasMessage("relaypack.xml/<pool>: bindPassword (value not shown) is wrong");
        }

        @Test
        void whereASecretIsKeptMayBeShown() throws Exception {
            assertThat(element("").error("passwordFile", "file://conf/x.secret", "is not a readable file"))
                .hasMessage("relaypack.xml/<pool>: passwordFile 'file://conf/x.secret' is not a readable file");
        }

        @Test
        void aMissingParameterShouldBeNamed() throws Exception {
            assertThatThrownBy(() -> element("").required("path"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: attribute path is required");
            assertThatThrownBy(() -> ConfigElement.ofMailet("MailboxRouter", FakeMailetConfig.builder().mailetName("x").build()).required("path"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("MailboxRouter: parameter path is required");
        }

        @Test
        void aBlankValueShouldBeAnError() throws Exception {
            assertThatThrownBy(() -> element("path=\" \"").value("path"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: path ' ' is empty");
        }
    }

    @Nested
    class UnknownParameters {
        @Test
        void anUnknownAttributeShouldBeRefusedListingTheAllowedOnes() throws Exception {
            assertThatThrownBy(() -> element("idleTimout=\"5s\"").checkAllowed(ImmutableSet.of("idleTimeout"), ImmutableSet.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: unknown attribute idleTimout='5s' (allowed: idleTimeout)");
        }

        @Test
        void anUnknownElementShouldBeRefused() throws Exception {
            ConfigElement testee = ConfigElement.root(xml("<relaypack><health><x/></health></relaypack>")).child("health").orElseThrow();

            assertThatThrownBy(() -> testee.checkAllowed(ImmutableSet.of(), ImmutableSet.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<health>: unknown element <x> (allowed: none)");
        }

        @Test
        void anUnknownMailetParameterShouldBeRefused() {
            assertThatThrownBy(() -> mailet("maxHop", "5").checkAllowed(ImmutableSet.of("maxHops", "processor"), ImmutableSet.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("HopLimit mailet 'loop': unknown parameter maxHop='5' (allowed: maxHops, processor)");
        }

        @Test
        void anUnknownHandlerParameterShouldBeRefusedButItsClassAttributeIsNoParameter() throws Exception {
            assertThatThrownBy(() -> handler("<requireSSL>true</requireSSL>").checkAllowed(ImmutableSet.of(), ImmutableSet.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("RequireTls: unknown parameter requireSSL='true' (allowed: none)");
            assertThat(handler("").checkAllowed(ImmutableSet.of(), ImmutableSet.of()).parameterNames()).isEmpty();
        }
    }

    @Nested
    class Booleans {
        @Test
        void trueAndFalseShouldBeRead() throws Exception {
            assertThat(element("verify=\"true\"").bool("verify")).contains(true);
            assertThat(element("verify=\"false\"").bool("verify")).contains(false);
            assertThat(element("").bool("verify")).isEmpty();
        }

        @Test
        void anythingElseShouldBeRefused() throws Exception {
            for (String value : new String[] {"yes", "no", "TRUE", "1", "on"}) {
                assertThatThrownBy(() -> element("verify=\"" + value + "\"").bool("verify"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("relaypack.xml/<pool>: verify '" + value + "' must be true or false");
            }
        }
    }

    @Nested
    class Durations {
        final DurationRange upToAnHour = DurationRange.positiveUpTo(Duration.ofHours(1));

        @Test
        void aDurationWithAUnitShouldBeRead() throws Exception {
            assertThat(element("idleTimeout=\"30s\"").duration("idleTimeout", upToAnHour)).contains(Duration.ofSeconds(30));
            assertThat(element("idleTimeout=\"500ms\"").duration("idleTimeout", upToAnHour)).contains(Duration.ofMillis(500));
            assertThat(element("idleTimeout=\"5 minutes\"").duration("idleTimeout", upToAnHour)).contains(Duration.ofMinutes(5));
        }

        @Test
        void aDurationWithoutUnitShouldBeRefused() {
            assertThatThrownBy(() -> element("idleTimeout=\"30\"").duration("idleTimeout", upToAnHour))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<pool>: idleTimeout '30' is not a duration with a unit such as 30s, 5m, 1h, 2d");
        }

        @Test
        void aDurationOutOfItsRangeShouldSayTheRange() {
            assertThatThrownBy(() -> element("idleTimeout=\"0s\"").duration("idleTimeout", upToAnHour))
                .hasMessage("relaypack.xml/<pool>: idleTimeout '0s' must be more than zero");
            assertThatThrownBy(() -> element("idleTimeout=\"2h\"").duration("idleTimeout", upToAnHour))
                .hasMessage("relaypack.xml/<pool>: idleTimeout '2h' must be at most 1h");
            assertThatThrownBy(() -> element("deadFor=\"500ms\"").duration("deadFor", DurationRange.between(Duration.ofSeconds(1), Duration.ofHours(1))))
                .hasMessage("relaypack.xml/<pool>: deadFor '500ms' must be between 1s and 1h");
        }

        @Test
        void zeroShouldBeAllowedWhereItTurnsAFeatureOff() throws Exception {
            assertThat(element("ttl=\"0s\"").duration("ttl", DurationRange.zeroUpTo(Duration.ofDays(1)))).contains(Duration.ZERO);
        }

        @Test
        void aHugeNumberShouldBeRefusedNotOverflow() {
            assertThatThrownBy(() -> element("ttl=\"99999999999999999999d\"").duration("ttl", upToAnHour))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("relaypack.xml/<pool>: ttl '99999999999999999999d' is not a duration");
        }
    }

    @Nested
    class Values {
        @Test
        void aListShouldBeCommaSeparated() throws Exception {
            assertThat(element("domains=\"example.com, example.net,,\"").list("domains")).containsExactly("example.com", "example.net");
            assertThat(element("").list("domains")).isEmpty();
        }

        @Test
        void childrenShouldBeNamedByTheirNameAttributeInMessages() throws Exception {
            ConfigElement testee = ConfigElement.root(xml("<relaypack><nexthops><nexthop name=\"upstream\"><tls/></nexthop></nexthops></relaypack>"));

            ConfigElement tls = testee.child("nexthops").orElseThrow().children("nexthop").get(0).child("tls").orElseThrow();

            assertThat(tls.path()).isEqualTo("relaypack.xml/<nexthops>/<nexthop name=\"upstream\">/<tls>");
        }

        @Test
        void anElementGivenTwiceWhereOneIsAllowedShouldBeRefused() {
            assertThatThrownBy(() -> ConfigElement.root(xml("<relaypack><health/><health/></relaypack>")).child("health"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml: element <health> is given 2 times, at most once allowed");
        }
    }
}
