package org.relaypack.delivery.smtp;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.DsnParameters;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/** Who the message is from and to, with the DSN parameters (RFC 3461) it arrived with. */
public final class Envelope {
    public static Envelope of(MaybeSender sender, List<MailAddress> recipients, Optional<DsnParameters> dsnParameters) {
        return of(sender, recipients, dsnParameters, false);
    }

    /** @param requireTls MAIL FROM carries REQUIRETLS (RFC 8689): only to a server that advertises it */
    public static Envelope of(MaybeSender sender, List<MailAddress> recipients, Optional<DsnParameters> dsnParameters, boolean requireTls) {
        return new Envelope(sender, ImmutableList.copyOf(recipients), dsnParameters, requireTls);
    }

    /**
     * False for an address holding CR, LF or NUL: written into MAIL FROM or RCPT TO it would end
     * the command early and smuggle another one (SMTP command injection). Refused before a byte is written.
     */
    public static boolean isSafe(String address) {
        return address.indexOf('\r') < 0 && address.indexOf('\n') < 0 && address.indexOf('\0') < 0;
    }

    private final MaybeSender sender;
    private final ImmutableList<MailAddress> recipients;
    private final Optional<DsnParameters> dsnParameters;
    private final boolean requireTls;

    private Envelope(MaybeSender sender, ImmutableList<MailAddress> recipients, Optional<DsnParameters> dsnParameters, boolean requireTls) {
        this.sender = sender;
        this.recipients = recipients;
        this.dsnParameters = dsnParameters;
        this.requireTls = requireTls;
    }

    public ImmutableList<MailAddress> recipients() {
        return recipients;
    }

    String mailCommand(Capabilities capabilities, MessageContent content) {
        StringBuilder command = new StringBuilder("MAIL FROM:<")
            .append(sender.asOptional().map(MailAddress::asString).orElse(""))
            .append('>');
        if (capabilities.size() && content.size() > 0) {
            command.append(" SIZE=").append(content.size());
        }
        if (capabilities.dsn()) {
            dsnParameters.flatMap(DsnParameters::getRetParameter)
                .ifPresent(ret -> command.append(" RET=").append(ret.name()));
            // James keeps ENVID as received: already xtext
            dsnParameters.flatMap(DsnParameters::getEnvIdParameter)
                .ifPresent(envId -> command.append(" ENVID=").append(envId.asString()));
        }
        if (requireTls) {
            command.append(" REQUIRETLS");
        }
        return command.toString();
    }

    String rcptCommand(Capabilities capabilities, MailAddress recipient) {
        StringBuilder command = new StringBuilder("RCPT TO:<").append(recipient.asString()).append('>');
        if (capabilities.dsn()) {
            Optional<DsnParameters.RecipientDsnParameters> parameters = dsnParameters
                .flatMap(dsn -> Optional.ofNullable(dsn.getRcptParameters().get(recipient)));
            parameters.flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .ifPresent(notify -> command.append(" NOTIFY=")
                    .append(notify.stream().map(Enum::name).collect(Collectors.joining(","))));
            parameters.flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter)
                .ifPresent(orcpt -> command.append(" ORCPT=").append(DsnParameters.RFC_822_PREFIX)
                    .append(DsnParameters.XText.encode(orcpt.asString())));
        }
        return command.toString();
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("sender", sender.asString()).add("recipients", recipients).add("requireTls", requireTls).toString();
    }
}
