package org.relaypack.it.dns;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link DaneStoryTest}'s story under {@code <tls mode="dane-or-mta-sts">} on a real James 3.8.1:
 * James accepts the combined mode's configuration at startup, and a domain that DANE does not
 * cover (unsigned zone) and that publishes no MTA-STS policy (no {@code _mta-sts} TXT record in
 * James's DNSService) gets its mail opportunistically. The decisions where DANE or a policy applies
 * are proven in the core module (DaneOrMtaStsDeliveryTest).
 */
class DaneOrMtaStsStoryTest extends DaneStoryTest {
    @BeforeAll
    static void start() throws Exception {
        startWith("dane-or-mta-sts");
    }
}
