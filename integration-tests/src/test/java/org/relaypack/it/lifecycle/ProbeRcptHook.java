package org.relaypack.it.lifecycle;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;

/** An SMTP hook taking the probe part: shows which instance a hook gets. */
public class ProbeRcptHook implements RcptHook {
    @Inject
    public ProbeRcptHook(ProbePart part) {
        ProbePart.SEEN.add(part);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return HookResult.DECLINED;
    }
}
