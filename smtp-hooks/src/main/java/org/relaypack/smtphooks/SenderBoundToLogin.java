package org.relaypack.smtphooks;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Postfix's {@code reject_sender_login_mismatch} for James: after AUTH, the envelope sender must be
 * an address the authenticated user may send as, as James's {@link CanSendFrom} decides (the user's
 * own address, or an alias or domain alias of it in the recipient rewrite table); otherwise
 * {@code 550 5.7.1}. With {@code checkFromHeader=true}, every From header address is held to the
 * same rule at the end of DATA.
 *
 * <p>Unauthenticated sessions and the null sender are left alone: {@link RequireAuthentication}
 * decides who may submit without AUTH, and bounces (MAIL FROM:&lt;&gt;) carry no identity to check.
 */
public class SenderBoundToLogin implements MailHook, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SenderBoundToLogin.class);

    public static final String NAME = "SenderBoundToLogin";

    static final HookResult TEMPORARY_FAILURE = HookResult.builder()
        .hookReturnCode(HookReturnCode.denySoft())
        .smtpReturnCode(SMTPRetCode.LOCAL_ERROR)
        .smtpDescription("4.3.0 Temporary failure while checking the sender, try again later")
        .build();

    private final UsersRepository usersRepository;
    private final CanSendFrom canSendFrom;
    private SenderBoundToLoginConfiguration configuration =
        new SenderBoundToLoginConfiguration(SenderBoundToLoginConfiguration.DEFAULT_CHECK_FROM_HEADER);

    @Inject
    public SenderBoundToLogin(UsersRepository usersRepository, CanSendFrom canSendFrom) {
        this.usersRepository = usersRepository;
        this.canSendFrom = canSendFrom;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        this.configuration = SenderBoundToLoginConfiguration.from(configuration);
        if (!supportsVirtualHosting()) {
            // Without virtual hosting a login is a bare local part: James would map alice@anydomain
            // to the user "alice" and let her send as any domain's alice.
            throw new ConfigurationException(NAME + ": virtual hosting is off (usersrepository.xml "
                + "<enableVirtualHosting>false</enableVirtualHosting>), so a login names no domain and the sender "
                + "cannot be bound to it; set <enableVirtualHosting>true</enableVirtualHosting> and log in with full addresses");
        }
    }

    private boolean supportsVirtualHosting() throws ConfigurationException {
        try {
            return usersRepository.supportVirtualHosting();
        } catch (UsersRepositoryException e) {
            throw new ConfigurationException(NAME + ": could not ask the users repository whether virtual hosting is on", e);
        }
    }

    SenderBoundToLoginConfiguration configuration() {
        return configuration;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        Username user = session.getUsername();
        if (user == null || sender.isNullSender()) {
            return HookResult.DECLINED;
        }
        try {
            if (mayUse(user, sender.get())) {
                return HookResult.DECLINED;
            }
            return refuse(session, "MAIL FROM:<" + sender.asString() + ">",
                "5.7.1 Sender address <" + sender.asString() + "> is not owned by user " + user.asString());
        } catch (UsersRepositoryException | RuntimeException e) {
            LOGGER.error("Could not check envelope sender {} for user {}", sender.asString(), user.asString(), e);
            return TEMPORARY_FAILURE;
        }
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        Username user = session.getUsername();
        if (!configuration.checkFromHeader() || user == null) {
            return HookResult.DECLINED;
        }
        List<String> fromHeader = new ArrayList<>();
        try {
            Address[] from = mail.getMessage().getFrom();
            if (from == null || from.length == 0) {
                return refuse(session, "mail " + mail.getName(), "5.7.1 A From header is required");
            }
            for (Address address : from) {
                String value = address instanceof InternetAddress ? ((InternetAddress) address).getAddress() : address.toString();
                fromHeader.add(value);
                if (!mayUse(user, new MailAddress(value))) {
                    return refuse(session, "mail " + mail.getName(),
                        "5.7.1 From header address <" + value + "> is not owned by user " + user.asString());
                }
            }
            return HookResult.DECLINED;
        } catch (AddressException e) {
            return refuse(session, "mail " + mail.getName(), "5.7.1 Unparsable From header address " + fromHeader);
        } catch (MessagingException | UsersRepositoryException | RuntimeException e) {
            LOGGER.error("Could not check the From header of mail {} for user {}", mail.getName(), user.asString(), e);
            return TEMPORARY_FAILURE;
        }
    }

    private boolean mayUse(Username user, MailAddress address) throws UsersRepositoryException {
        return canSendFrom.userCanSendFrom(user, usersRepository.getUsername(address));
    }

    private static HookResult refuse(SMTPSession session, String what, String description) {
        LOGGER.info("Refused {} of user {} from {} on port {}: {}", what, session.getUsername().asString(),
            session.getRemoteAddress(), session.getLocalAddress().getPort(), description);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode(SMTPRetCode.MAILBOX_PERM_UNAVAILABLE)
            .smtpDescription(description)
            .build();
    }
}
