package org.relaypack.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class StandInsFileTest {
    private static StandInsFile parse(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return StandInsFile.parse(properties);
    }

    @Test
    void aStandInShouldCarryItsTlsAuthCertificateAndReplacements() throws Exception {
        StandInsFile testee = parse("provider.smtp=10587\nprovider.imap=10143\nprovider.tls=starttls-required\n"
            + "provider.auth=submission@example.org provider.secret\nprovider.certificate=dns:mx.partner.example\n"
            + "provider.replace=[smtp.provider.example]:587 => [127.0.0.1]:{smtp}\n"
            + "trust=provider-ca.p12 provider-ca.secret\ndns=loopback\n"
            + "try.2=second {cli}\ntry.10=tenth\ntry.1=first {listener.25}\n");

        StandInSpec provider = testee.standIns().get(0);
        assertThat(provider.name()).isEqualTo("provider");
        assertThat(provider.shippedSmtpPort()).isEqualTo(10587);
        assertThat(provider.shippedImapPort()).isEqualTo(10143);
        assertThat(provider.tls()).isEqualTo(StandInSpec.Tls.STARTTLS_REQUIRED);
        assertThat(provider.authUsername()).contains("submission@example.org");
        assertThat(provider.authPasswordFile()).contains("provider.secret");
        assertThat(provider.certificateNames()).containsExactly("dns:mx.partner.example");
        assertThat(provider.replacements()).extracting(StandInSpec.Replacement::from)
            .containsExactly("127.0.0.1:10587", "[127.0.0.1]:10587", "[smtp.provider.example]:587");
        assertThat(provider.replacements().get(2).to(40001)).isEqualTo("[127.0.0.1]:40001");
        assertThat(testee.trustStore()).contains("provider-ca.p12");
        assertThat(testee.trustStoreSecret()).contains("provider-ca.secret");
        assertThat(testee.loopbackDns()).isTrue();
        assertThat(testee.tryCommands()).containsExactly("first {listener.25}", "second {cli}", "tenth");
    }

    @Test
    void aPlainStandInShouldDefaultToNoTlsNoAuth() throws Exception {
        StandInSpec upstream = parse("upstream.smtp=10025\nupstream.imap=10143\n").standIns().get(0);

        assertThat(upstream.tls()).isEqualTo(StandInSpec.Tls.NONE);
        assertThat(upstream.authUsername()).isEqualTo(Optional.empty());
        assertThat(upstream.certificateNames()).containsExactly("dns:localhost", "ip:127.0.0.1");
    }

    @Test
    void badValuesShouldBeNamed() {
        assertThatThrownBy(() -> parse("p.smtp=1\np.imap=2\np.tls=required\n"))
            .hasMessageContaining("invalid value 'required' for p.tls");
        assertThatThrownBy(() -> parse("p.smtp=1\n")).hasMessageContaining("missing p.imap");
        assertThatThrownBy(() -> parse("p.smtp=x\np.imap=2\n")).hasMessageContaining("invalid value 'x' for p.smtp");
        assertThatThrownBy(() -> parse("replace.1=no arrow\n")).hasMessageContaining("expected 'TEXT => REPLACEMENT'");
        assertThatThrownBy(() -> parse("dns=google\n")).hasMessageContaining("invalid value 'google' for dns");
    }
}
