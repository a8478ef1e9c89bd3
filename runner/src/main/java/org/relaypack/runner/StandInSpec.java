package org.relaypack.runner;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * One stand-in of a sample's {@code standins.properties}: a local SMTP server standing for a peer
 * of the relay (a provider, a partner, a mailbox server, the internet), and how the sample's
 * configuration names it.
 */
public final class StandInSpec {
    /** What the stand-in offers before MAIL FROM. */
    public enum Tls {
        NONE, STARTTLS, STARTTLS_REQUIRED, IMPLICIT;

        static Tls parse(String name, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.US).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(RelaypackRun.STANDINS_FILE + ": invalid value '" + value + "' for "
                    + name + ".tls: expected none, starttls, starttls-required or implicit");
            }
        }

        String describe() {
            switch (this) {
                case STARTTLS:
                    return "STARTTLS offered";
                case STARTTLS_REQUIRED:
                    return "STARTTLS required";
                case IMPLICIT:
                    return "implicit TLS";
                default:
                    return "plaintext";
            }
        }
    }

    /** A literal text of the sample replaced for a local run; {smtp} is the stand-in's SMTP port. */
    public static final class Replacement {
        private final String from;
        private final String to;

        static Replacement parse(String key, String value) {
            int arrow = value.indexOf(" => ");
            if (arrow <= 0) {
                throw new IllegalArgumentException(RelaypackRun.STANDINS_FILE + ": invalid value '" + value + "' for " + key
                    + ": expected 'TEXT => REPLACEMENT'");
            }
            return new Replacement(value.substring(0, arrow), value.substring(arrow + " => ".length()));
        }

        Replacement(String from, String to) {
            this.from = from;
            this.to = to;
        }

        public String from() {
            return from;
        }

        public String to(int smtpPort) {
            return to.replace("{smtp}", String.valueOf(smtpPort));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Replacement && from.equals(((Replacement) o).from) && to.equals(((Replacement) o).to);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, to);
        }

        @Override
        public String toString() {
            return from + " => " + to;
        }
    }

    private final String name;
    private final int shippedSmtpPort;
    private final int shippedImapPort;
    private final Tls tls;
    private final Optional<String> authUsername;
    private final Optional<String> authPasswordFile;
    private final List<String> certificateNames;
    private final List<Replacement> replacements;

    StandInSpec(String name, int shippedSmtpPort, int shippedImapPort, Tls tls, Optional<String> authUsername,
                Optional<String> authPasswordFile, List<String> certificateNames, List<Replacement> replacements) {
        this.name = name;
        this.shippedSmtpPort = shippedSmtpPort;
        this.shippedImapPort = shippedImapPort;
        this.tls = tls;
        this.authUsername = authUsername;
        this.authPasswordFile = authPasswordFile;
        this.certificateNames = ImmutableList.copyOf(certificateNames);
        this.replacements = ImmutableList.copyOf(replacements);
    }

    public String name() {
        return name;
    }

    public int shippedSmtpPort() {
        return shippedSmtpPort;
    }

    public int shippedImapPort() {
        return shippedImapPort;
    }

    public Tls tls() {
        return tls;
    }

    /** The user the stand-in requires AUTH from, if any. */
    public Optional<String> authUsername() {
        return authUsername;
    }

    /** The conf file holding the password of {@link #authUsername()}. */
    public Optional<String> authPasswordFile() {
        return authPasswordFile;
    }

    /** The subject alternative names of its certificate ("dns:mx.partner.example", "ip:127.0.0.1"). */
    public List<String> certificateNames() {
        return certificateNames;
    }

    /**
     * How the sample names this peer. Always also "127.0.0.1:PORT" and "[127.0.0.1]:PORT" with
     * the shipped SMTP port (RemoteDelivery gateways and relaypack hosts).
     */
    public List<Replacement> replacements() {
        return ImmutableList.<Replacement>builder()
            .add(new Replacement("127.0.0.1:" + shippedSmtpPort, "127.0.0.1:{smtp}"))
            .add(new Replacement("[127.0.0.1]:" + shippedSmtpPort, "[127.0.0.1]:{smtp}"))
            .addAll(replacements)
            .build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StandInSpec)) {
            return false;
        }
        StandInSpec that = (StandInSpec) o;
        return name.equals(that.name) && shippedSmtpPort == that.shippedSmtpPort && shippedImapPort == that.shippedImapPort
            && tls == that.tls && authUsername.equals(that.authUsername) && authPasswordFile.equals(that.authPasswordFile)
            && certificateNames.equals(that.certificateNames) && replacements.equals(that.replacements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, shippedSmtpPort, shippedImapPort, tls, authUsername, authPasswordFile, certificateNames, replacements);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("name", name).add("smtp", shippedSmtpPort).add("imap", shippedImapPort)
            .add("tls", tls).add("auth", authUsername).add("certificate", certificateNames).add("replacements", replacements)
            .toString();
    }
}
