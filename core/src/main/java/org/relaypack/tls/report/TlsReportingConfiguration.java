package org.relaypack.tls.report;

import java.util.Objects;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.relaypack.config.ConfigElement;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/**
 * The {@code <tls-reporting>} element of relaypack.xml (docs/tls-reporting.md): RFC 8460 reports
 * of the DANE and MTA-STS outcomes of MX delivery. Absent, or {@code enabled="false"}: nothing is
 * recorded.
 */
public final class TlsReportingConfiguration {
    public static final String SECTION = "tls-reporting";
    public static final String ENABLED = "enabled";
    public static final String ORGANIZATION = "organization";
    public static final String CONTACT = "contact";
    public static final String SUBMITTER = "submitter";
    public static final String SENDING_IP = "sendingIp";
    public static final String DIRECTORY = "directory";
    public static final String SEND = "send";
    public static final String DEFAULT_DIRECTORY = FileSystem.FILE_PROTOCOL_AND_VAR + "relaypack/tls-reports";
    public static final TlsReportingConfiguration DISABLED = new TlsReportingConfiguration(false, "", "", Optional.empty(),
        Optional.empty(), DEFAULT_DIRECTORY, false);

    public static TlsReportingConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml) throws ConfigurationException {
        Optional<ConfigElement> section = ConfigElement.root(relaypackXml).child(SECTION);
        if (section.isEmpty()) {
            return DISABLED;
        }
        ConfigElement element = section.get().checkAllowed(
            ImmutableSet.of(ENABLED, ORGANIZATION, CONTACT, SUBMITTER, SENDING_IP, DIRECTORY, SEND), ImmutableSet.of());
        boolean enabled = element.bool(ENABLED).orElse(true);
        if (!enabled) {
            return DISABLED;
        }
        String contact = element.required(CONTACT);
        try {
            new MailAddress(contact);
        } catch (AddressException e) {
            throw element.error(CONTACT, contact, "is not an email address: " + e.getMessage());
        }
        Optional<String> submitter = element.value(SUBMITTER);
        if (submitter.isPresent() && !submitter.get().matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw element.error(SUBMITTER, submitter.get(), "is not a domain name (the relay's own, e.g. relay.example.org)");
        }
        Optional<String> sendingIp = element.value(SENDING_IP);
        if (sendingIp.isPresent() && !com.google.common.net.InetAddresses.isInetAddress(sendingIp.get())) {
            throw element.error(SENDING_IP, sendingIp.get(), "is not an IP address");
        }
        return new TlsReportingConfiguration(true, element.required(ORGANIZATION), contact, submitter, sendingIp,
            element.value(DIRECTORY).orElse(DEFAULT_DIRECTORY), element.bool(SEND).orElse(true));
    }

    private final boolean enabled;
    private final String organization;
    private final String contact;
    private final Optional<String> submitter;
    private final Optional<String> sendingIp;
    private final String directory;
    private final boolean send;

    public TlsReportingConfiguration(boolean enabled, String organization, String contact, Optional<String> submitter,
                                     Optional<String> sendingIp, String directory, boolean send) {
        this.enabled = enabled;
        this.organization = Objects.requireNonNull(organization);
        this.contact = Objects.requireNonNull(contact);
        this.submitter = Objects.requireNonNull(submitter);
        this.sendingIp = Objects.requireNonNull(sendingIp);
        this.directory = Objects.requireNonNull(directory);
        this.send = send;
    }

    public boolean enabled() {
        return enabled;
    }

    /** {@code organization-name}. */
    public String organization() {
        return organization;
    }

    /** {@code contact-info}, and the From of the report mail. */
    public String contact() {
        return contact;
    }

    /** The relay's domain name (the file names, the Subject, {@code TLS-Report-Submitter}); default the local host name. */
    public Optional<String> submitter() {
        return submitter;
    }

    /** {@code sending-mta-ip}; default the local host's address. */
    public Optional<String> sendingIp() {
        return sendingIp;
    }

    /** A James file URL or an absolute path. */
    public String directory() {
        return directory;
    }

    /** Mail the reports to the {@code rua=mailto:} of the domains that publish one. */
    public boolean send() {
        return send;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsReportingConfiguration) {
            TlsReportingConfiguration that = (TlsReportingConfiguration) o;
            return enabled == that.enabled && send == that.send && organization.equals(that.organization) && contact.equals(that.contact)
                && submitter.equals(that.submitter) && sendingIp.equals(that.sendingIp) && directory.equals(that.directory);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, organization, contact, submitter, sendingIp, directory, send);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("enabled", enabled).add("organization", organization).add("contact", contact)
            .add("submitter", submitter).add("sendingIp", sendingIp).add("directory", directory).add("send", send).toString();
    }
}
