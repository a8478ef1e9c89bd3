package org.relaypack.runner;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * A local stand-in for a peer of the relay (the upstream smarthost, a mailbox server): a real SMTP
 * server that stores what it receives, readable back over IMAP with any password.
 */
public final class StandIn implements AutoCloseable {
    private final String name;
    private final GreenMail greenMail;
    private final int smtpPort;
    private final int imapPort;

    public static StandIn start(String name, int smtpPort, int imapPort) {
        GreenMail greenMail = new GreenMail(new ServerSetup[] {
            new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
            new ServerSetup(imapPort, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)
        }).withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();
        return new StandIn(name, greenMail, smtpPort, imapPort);
    }

    private StandIn(String name, GreenMail greenMail, int smtpPort, int imapPort) {
        this.name = name;
        this.greenMail = greenMail;
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
    }

    public String name() {
        return name;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public int imapPort() {
        return imapPort;
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
