package org.relaypack.it.smarthost;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.relaypack.delivery.DeliveryEngine;

/** An SMTP hook that only records the engine James gives it. */
public class EngineProbeHook implements RcptHook {
    @Inject
    public EngineProbeHook(DeliveryEngine engine) {
        EngineProbe.SEEN.put("hook", engine);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return HookResult.DECLINED;
    }
}
