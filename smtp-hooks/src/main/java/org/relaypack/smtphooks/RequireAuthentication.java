package org.relaypack.smtphooks;

import java.net.InetSocketAddress;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * RFC 6409 section 4.3 / RFC 4954: on a submission listener, MAIL FROM without a successful AUTH
 * gets {@code 530 5.7.0 Authentication required}, whatever smtpserver.xml's
 * {@code authorizedAddresses} says. Only the networks listed in this handler's own
 * {@code allowedNetworks} may submit without AUTH.
 */
public class RequireAuthentication implements MailHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireAuthentication.class);

    public static final String NAME = "RequireAuthentication";

    static final HookResult AUTHENTICATION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.AUTH_REQUIRED)
        .smtpDescription("5.7.0 Authentication required")
        .build();

    private RequireAuthenticationConfiguration configuration = new RequireAuthenticationConfiguration(ImmutableList.of());

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        this.configuration = RequireAuthenticationConfiguration.from(configuration);
    }

    RequireAuthenticationConfiguration configuration() {
        return configuration;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return check(session.getUsername() != null, session.getRemoteAddress(), session.getLocalAddress().getPort(), sender);
    }

    HookResult check(boolean authenticated, InetSocketAddress client, int localPort, MaybeSender sender) {
        if (authenticated || configuration.mayOmitAuth(client.getAddress())) {
            return HookResult.DECLINED;
        }
        LOGGER.info("Refused MAIL FROM:<{}> without AUTH from {} on port {}", sender.asString(), client, localPort);
        return AUTHENTICATION_REQUIRED;
    }
}
