package org.relaypack.submission;

import java.net.InetAddress;
import java.util.Optional;

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

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * RFC 6409 section 4.3 / RFC 4954: on a submission listener, MAIL FROM without a successful AUTH
 * gets {@code 530 5.7.0 Authentication required}, whatever smtpserver.xml's
 * {@code authorizedAddresses} says. Only the networks listed in this handler's own
 * {@code allowedNetworks} may submit without AUTH.
 */
public class RequireAuthentication implements MailHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireAuthentication.class);

    public static final String NAME = "RequireAuthentication";
    public static final String ALLOWED_NETWORKS = "allowedNetworks";

    static final HookResult AUTHENTICATION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.AUTH_REQUIRED)
        .smtpDescription("5.7.0 Authentication required")
        .build();

    private ImmutableList<Network> allowedNetworks = ImmutableList.of();

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(NAME, configuration, ImmutableSet.of(ALLOWED_NETWORKS));
        Optional<String> networks = parameters.string(ALLOWED_NETWORKS);
        if (networks.isPresent()) {
            ImmutableList.Builder<Network> parsed = ImmutableList.builder();
            for (String network : Splitter.on(',').trimResults().omitEmptyStrings().split(networks.get())) {
                try {
                    parsed.add(Network.parse(network));
                } catch (IllegalArgumentException e) {
                    throw parameters.invalid(ALLOWED_NETWORKS, network, e.getMessage());
                }
            }
            allowedNetworks = parsed.build();
        }
    }

    ImmutableList<Network> allowedNetworks() {
        return allowedNetworks;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return check(session.getUsername() != null, session.getRemoteAddress().getAddress());
    }

    HookResult check(boolean authenticated, InetAddress client) {
        if (authenticated || allowedNetworks.stream().anyMatch(network -> network.contains(client))) {
            return HookResult.DECLINED;
        }
        LOGGER.info("Refused MAIL without AUTH from {}", client.getHostAddress());
        return AUTHENTICATION_REQUIRED;
    }
}
